package org.meftspark.jobs.pipeline;

import java.nio.file.Path;
import org.meftspark.synth.SampleDatasets;

/** A small, fast run configuration over the project's own sample datasets. */
final class PipelineFixtures {

    private PipelineFixtures() {
    }

    /**
     * @param data     samples written by {@link SampleDatasets#write}
     * @param shards   shard directory (any Hadoop path)
     * @param runDir   run.dir
     * @param name     run.name
     * @param training extra keys of the training section, in YAML flow syntax (may be empty)
     * @param spark    the spark section's body in YAML flow syntax (may be empty)
     */
    static String config(SampleDatasets.Files4 data, String shards, String runDir, String name, String training,
                         String spark) {
        return """
                run: {name: %s, dir: "%s", seed: 5}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%s", split: train}
                    - {dataset: nq_open, path: "%s", split: dev}
                    - {dataset: gsm8k, path: "%s", split: test}
                  shards: "%s"
                  templates: "%s"
                  max_length: 384  # GSM8K test rows are about 350 byte tokens and never cut: 192 rejected them all
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: meft, neurons: 256, top_k: 8, n_probe: 2, union_cap: 256}
                training: {learning_rate: 0.01, micro_batch_size: 4, checkpoint_every: 4, %s}
                evaluation: {decoding: greedy, max_new_tokens: 8, batch_size: 4, max_examples: 3, bootstrap_samples: 50}
                spark: {%s}
                """.formatted(name, runDir, data.nqTrain(), data.nqDev(), data.gsmTest(), shards,
                Path.of(System.getProperty("meft.project.root", "..")).resolve("conf/templates"), training, spark);
    }
}
