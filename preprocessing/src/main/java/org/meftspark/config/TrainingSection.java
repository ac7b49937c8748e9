package org.meftspark.config;

import java.util.List;

/**
 * The training loop. Defaults follow meft-method.md section 6 (lr 1e-4, effective
 * batch 64 = 8 x 8, 4 epochs).
 *
 * @param device              compute device; chosen explicitly, never guessed, so a CPU run is never
 *                            mistaken for a GPU run
 * @param learningRate        AdamW learning rate
 * @param weightDecay         decoupled weight decay (section 4)
 * @param beta1               AdamW first-moment decay
 * @param beta2               AdamW second-moment decay
 * @param epsilon             AdamW denominator epsilon
 * @param optimizerMode       lazy (touched rows only) or dense host AdamW (section 4)
 * @param microBatchSize      sequences per micro-batch
 * @param gradientAccumulation micro-batches per optimizer step
 * @param epochs              passes over the training shards
 * @param maxSteps            stop after this many optimizer steps; 0 means run all epochs
 * @param checkpointEvery     optimizer steps between checkpoints; 0 means only at the end
 * @param maxBadSteps         consecutive NaN/Inf steps tolerated before the run stops
 * @param lrSchedule          learning-rate decay after warm-up
 * @param warmupSteps         optimizer steps of linear warm-up from 0 to the learning rate
 * @param maxGradNorm         global gradient-norm clip over every trainable (0 disables)
 * @param shuffle             visit the training rows in a seeded random order each epoch
 * @param overlapHostUpdate   run MEFT's host AdamW of one step on a background thread while the next
 *                            step's forward runs (each layer waits only for its own rows; docs/meft-schedule.md)
 * @param cudaRequired        with device gpu, refuse to train on the CPU when libtorch has no CUDA
 * @param lengthGrouping      micro-batches of rows of similar length: each epoch's shuffled order is cut
 *                            into windows of 64 micro-batches, each window sorted by length and its
 *                            micro-batches visited in a seeded random order; pads far less when the
 *                            rows' lengths differ (mixed datasets), at the price of batches that are
 *                            less random
 * @param dataParallel        ranks that train this run together (issue 17): one Spark barrier stage of this many
 *                            tasks, each on its own GPU or CPU slot; the global batch is dataParallel x
 *                            micro_batch_size x gradient_accumulation, and a run equals a one-rank run with the
 *                            same global batch (up to the order of floating-point sums)
 * @param collectiveTimeoutS  seconds any collective (and the rendezvous) may wait for the other ranks before the
 *                            run fails naming the rank that stopped answering; must cover rank 0's checkpoint write
 */
public record TrainingSection(Device device, double learningRate, double weightDecay, double beta1, double beta2,
                             double epsilon, OptimizerMode optimizerMode, int microBatchSize,
                             int gradientAccumulation, int epochs, int maxSteps, int checkpointEvery,
                             int maxBadSteps, LrSchedule lrSchedule, int warmupSteps, double maxGradNorm,
                             boolean shuffle, boolean overlapHostUpdate, boolean cudaRequired,
                             boolean lengthGrouping, int dataParallel, int collectiveTimeoutS) implements java.io.Serializable {

    /** Where tensors live. */
    public enum Device { CPU, GPU }

    /** Host AdamW variant (meft-method.md section 4). */
    public enum OptimizerMode { LAZY, DENSE }

    /** Learning-rate decay after warm-up. */
    public enum LrSchedule { CONSTANT, LINEAR, COSINE }

    public static final Key<Device> DEVICE = Key.choice("device", Device.class, Device.CPU,
            "cpu trains with CPU tensors; gpu needs a cluster with GPU scheduling and the gpu build.");
    public static final Key<Double> LEARNING_RATE = Key.real("learning_rate", 1e-4, 0.0, true, 1.0,
            "AdamW learning rate.");
    public static final Key<Double> WEIGHT_DECAY = Key.real("weight_decay", 0.0, 0.0, false, 1.0,
            "Decoupled weight decay.");
    public static final Key<Double> BETA1 = Key.real("beta1", 0.9, 0.0, false, 0.999999, "AdamW beta1.");
    public static final Key<Double> BETA2 = Key.real("beta2", 0.999, 0.0, false, 0.999999, "AdamW beta2.");
    public static final Key<Double> EPSILON = Key.real("epsilon", 1e-8, 0.0, true, 1.0, "AdamW epsilon.");
    public static final Key<OptimizerMode> OPTIMIZER_MODE = Key.choice("optimizer_mode", OptimizerMode.class,
            OptimizerMode.LAZY, "lazy updates touched rows only (O(|U| d)); dense decays every row (O(N d)).");
    public static final Key<Integer> MICRO_BATCH_SIZE = Key.integer("micro_batch_size", 8, 1, 65536,
            "Sequences per micro-batch.");
    public static final Key<Integer> GRADIENT_ACCUMULATION = Key.integer("gradient_accumulation", 8, 1, 65536,
            "Micro-batches per optimizer step (effective batch = micro_batch_size x this).");
    public static final Key<Integer> EPOCHS = Key.integer("epochs", 4, 1, 10000, "Passes over the training shards.");
    public static final Key<Integer> MAX_STEPS = Key.integer("max_steps", 0, 0, Integer.MAX_VALUE,
            "Stop after this many optimizer steps; 0 runs all epochs.");
    public static final Key<Integer> CHECKPOINT_EVERY = Key.integer("checkpoint_every", 100, 0, Integer.MAX_VALUE,
            "Optimizer steps between checkpoints; 0 checkpoints only at the end.");
    public static final Key<Integer> MAX_BAD_STEPS = Key.integer("max_bad_steps", 10, 1, 1_000_000,
            "Consecutive steps with NaN/Inf loss or gradients (skipped) before the run stops.");

    public static final Key<LrSchedule> LR_SCHEDULE = Key.choice("lr_schedule", LrSchedule.class, LrSchedule.LINEAR,
            "After warm-up: constant, linear decay to 0, or cosine decay to 0 at the last step.");
    public static final Key<Integer> WARMUP_STEPS = Key.integer("warmup_steps", 0, 0, Integer.MAX_VALUE,
            "Optimizer steps of linear warm-up from 0 to learning_rate.");
    public static final Key<Double> MAX_GRAD_NORM = Key.real("max_grad_norm", 1.0, 0.0, false, 1e6,
            "Clip the global L2 norm of all gradients to this; 0 disables clipping.");
    public static final Key<Boolean> SHUFFLE = Key.bool("shuffle", true,
            "Visit training rows in a random order per epoch, drawn from run.seed (reproducible).");

    public static final Key<Boolean> OVERLAP_HOST_UPDATE = Key.bool("overlap_host_update", true,
            "MEFT: update the host store on a background thread while the next step's forward runs (same results).");

    /**
     * With device gpu: fail when a task holds a GPU but libtorch finds no CUDA (the CPU build). Off
     * only to rehearse GPU scheduling on machines without one (fake discovery scripts, CI): the
     * task then trains on the CPU and says so.
     */
    public static final Key<Boolean> CUDA_REQUIRED = Key.bool("cuda_required", true,
            "With device gpu, fail when libtorch has no CUDA; false trains on the CPU inside the GPU-scheduled task "
                    + "(rehearsing scheduling without a GPU).");

    public static final Key<Boolean> LENGTH_GROUPING = Key.bool("length_grouping", false,
            "Group rows of similar length into micro-batches (windows of 64 micro-batches sorted by length, visited in a "
                    + "seeded random order): much less padding on mixed datasets; reproducible and resumable like shuffle.");

    public static final Key<Integer> DATA_PARALLEL = Key.integer("data_parallel", 1, 1, 4096,
            "Ranks (Spark tasks, one GPU or CPU slot each) that train one run together; global batch = data_parallel x "
                    + "micro_batch_size x gradient_accumulation.");
    public static final Key<Integer> COLLECTIVE_TIMEOUT_S = Key.integer("collective_timeout_s", 600, 1, 86400,
            "With data_parallel > 1: seconds a rank waits for the others in a collective before the run fails naming "
                    + "the rank that stopped; must cover a checkpoint write.");

    public static final Section<TrainingSection> SECTION = new Section<>("training",
            "The training loop and the optimizer.",
            List.of(DEVICE, LEARNING_RATE, WEIGHT_DECAY, BETA1, BETA2, EPSILON, OPTIMIZER_MODE, MICRO_BATCH_SIZE,
                    GRADIENT_ACCUMULATION, EPOCHS, MAX_STEPS, CHECKPOINT_EVERY, MAX_BAD_STEPS, LR_SCHEDULE,
                    WARMUP_STEPS, MAX_GRAD_NORM, SHUFFLE, OVERLAP_HOST_UPDATE, CUDA_REQUIRED, LENGTH_GROUPING,
                    DATA_PARALLEL, COLLECTIVE_TIMEOUT_S),
            v -> new TrainingSection(v.get(DEVICE), v.get(LEARNING_RATE), v.get(WEIGHT_DECAY), v.get(BETA1),
                    v.get(BETA2), v.get(EPSILON), v.get(OPTIMIZER_MODE), v.get(MICRO_BATCH_SIZE),
                    v.get(GRADIENT_ACCUMULATION), v.get(EPOCHS), v.get(MAX_STEPS), v.get(CHECKPOINT_EVERY),
                    v.get(MAX_BAD_STEPS), v.get(LR_SCHEDULE), v.get(WARMUP_STEPS), v.get(MAX_GRAD_NORM),
                    v.get(SHUFFLE), v.get(OVERLAP_HOST_UPDATE), v.get(CUDA_REQUIRED),
                    v.get(LENGTH_GROUPING), v.get(DATA_PARALLEL), v.get(COLLECTIVE_TIMEOUT_S)));

    /** The same training at another peak learning rate (a point of the study's grid). */
    public TrainingSection withLearningRate(double lr) {
        return new TrainingSection(device, lr, weightDecay, beta1, beta2, epsilon, optimizerMode, microBatchSize,
                gradientAccumulation, epochs, maxSteps, checkpointEvery, maxBadSteps, lrSchedule, warmupSteps, maxGradNorm,
                shuffle, overlapHostUpdate, cudaRequired, lengthGrouping, dataParallel, collectiveTimeoutS);
    }

    /**
     * The same training on {@code ranks} ranks with {@code accumulation} micro-batches each per step (a resume
     * on another number of executors keeps the global batch by trading ranks for accumulation).
     */
    public TrainingSection withParallelism(int ranks, int accumulation) {
        return new TrainingSection(device, learningRate, weightDecay, beta1, beta2, epsilon, optimizerMode, microBatchSize,
                accumulation, epochs, maxSteps, checkpointEvery, maxBadSteps, lrSchedule, warmupSteps, maxGradNorm,
                shuffle, overlapHostUpdate, cudaRequired, lengthGrouping, ranks, collectiveTimeoutS);
    }

    /** Sequences per optimizer step over all ranks. */
    public long globalBatch() {
        return (long) dataParallel * microBatchSize * gradientAccumulation;
    }
}
