package org.meftspark.jobs.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.meftspark.config.DataSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunSection;
import org.meftspark.config.RunVariant;
import org.meftspark.data.Dataset;
import org.meftspark.jobs.pipeline.RunRequest;
import org.meftspark.synth.FactDataset;
import org.meftspark.synth.WorldSplit;

/**
 * One fact count of the study: its generated data and the pipeline request that trains and evaluates
 * every trial on it. The variants are built as values from the study's configuration (its run, data
 * and evaluation sections replaced, each trial's adapter and learning rate set); the request also
 * carries the overrides that record them in the run directory, which the pipeline checks rebuild the
 * same values ({@link RunRequest}).
 *
 * @param request  what the pipeline runs
 * @param heldOut  the held-out questions file (for messages)
 */
record StudyPart(RunRequest request, Path heldOut) {
    private static final ObjectMapper LINES = new ObjectMapper();

    /**
     * What every part shares.
     *
     * @param configText the study's configuration text (recorded in each part's run directory)
     * @param source     its file name
     * @param overrides  the command line's overrides
     * @param config     the study's configuration, parsed once
     * @param root       the study directory
     * @param world      the base's world (a pretrained base); empty for a random base
     * @param trials     every method at every rate of the grid
     */
    record Setup(String configText, String source, List<String> overrides, RunConfig config, Path root,
                 Optional<WorldSplit> world, List<Study.Trial> trials) {
    }

    /** A part's data and the values of its inputs, with the overrides that record them. */
    private record Inputs(List<DataSection.Input> inputs, List<String> recorded, Path heldOut) {
    }

    /** Writes the part's data (once per fact count; rewritten identically on a rerun) and builds its request. */
    static StudyPart of(Setup setup, int facts, PrintStream log) throws java.io.IOException {
        Inputs in = inputs(setup, facts, log);
        RunConfig cfg = setup.config();
        String name = "facts-" + facts;
        String shards = setup.root().resolve("shards").resolve(name).toString();
        List<String> recorded = new ArrayList<>(setup.overrides());
        recorded.add("run.dir=" + quote(setup.root().toString()));
        recorded.add("run.name=" + name);
        recorded.add("data.shards=" + quote(shards));
        recorded.addAll(in.recorded());
        recorded.add("run.sweep=" + sweep(setup.trials()));
        List<RunSection.Variant> sweep = new ArrayList<>();
        setup.trials().stream().filter(t -> t.sized().fits()).forEach(t -> sweep.add(new RunSection.Variant(t.name(), t.set())));
        RunConfig part = cfg.withRun(new RunSection(name, setup.root().toString(), cfg.run().seed(), sweep))
                .withData(cfg.data().withInputs(in.inputs(), shards))
                .withEvaluation(setup.world().isPresent() ? cfg.evaluation().on(List.of("test"), cfg.evaluation().maxExamples())
                        : cfg.evaluation());
        List<RunVariant> variants = new ArrayList<>();
        for (Study.Trial t : setup.trials()) {
            if (t.sized().fits()) {
                RunConfig c = part.withAdapter(t.sized().adapter())
                        .withTraining(t.setsRate() ? part.training().withLearningRate(t.learningRate()) : part.training());
                List<String> all = new ArrayList<>(recorded);
                all.addAll(t.set());
                variants.add(new RunVariant(t.name(), c, all));
            }
        }
        return new StudyPart(new RunRequest(setup.configText(), setup.source(), recorded, variants), in.heldOut());
    }

    /** The part's variant of a trial. */
    RunVariant variant(String name) {
        return request.variants().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    private static Inputs inputs(Setup setup, int facts, PrintStream log) throws java.io.IOException {
        Path dataDir = setup.root().resolve("data").resolve("facts-" + facts);
        List<DataSection.Input> inputs = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        if (setup.world().isPresent()) {
            // A pretrained base names its world: the facts come from W1 and the study also measures validation,
            // extraction and forgetting (issue 15 item 5).
            FactDataset.StudyFiles f = FactDataset.write(dataDir, setup.world().get(), facts);
            add(inputs, f.train(), "train");
            add(inputs, f.heldOut(), "test");
            add(inputs, f.validation(), "validation");
            add(inputs, f.extraction(), "extraction");
            add(inputs, f.w0(), "w0");
            recorded.add("data.inputs=" + flow(inputs));
            recorded.add("evaluation.splits=[test]");
            log.printf(Locale.ROOT, "study: %d W1 facts (%d towns) of %s%n", f.facts(), f.towns(), setup.world().get());
            return new Inputs(inputs, recorded, f.heldOut());
        }
        // A random base has no world: facts from run.seed.
        FactDataset.Written data = FactDataset.write(dataDir, setup.config().run().seed(), facts);
        add(inputs, data.train(), "train");
        add(inputs, data.heldOut(), "test");
        recorded.add("data.inputs=" + flow(inputs));
        log.printf(Locale.ROOT, "study: %d facts (%d towns)%n", data.facts(), data.towns());
        return new Inputs(inputs, recorded, data.heldOut());
    }

    private static void add(List<DataSection.Input> inputs, Path file, String split) {
        inputs.add(new DataSection.Input(Dataset.NQ_OPEN, file.toString(), DataSection.Format.AUTO, split));
    }

    /** The inputs as a YAML flow list, as the run directory records them. */
    private static String flow(List<DataSection.Input> inputs) throws JsonProcessingException {
        List<String> items = new ArrayList<>();
        for (DataSection.Input i : inputs) {
            items.add("{dataset: nq_open, path: " + quote(i.path()) + ", split: " + i.split() + "}");
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** run.sweep as YAML flow: one variant per trial that fits. */
    static String sweep(List<Study.Trial> trials) throws JsonProcessingException {
        List<String> items = new ArrayList<>();
        for (Study.Trial t : trials) {
            if (t.sized().fits()) {
                items.add("{name: " + t.name() + ", set: " + LINES.writeValueAsString(t.set()) + "}");
            }
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** A JSON string is a valid YAML flow scalar: paths with spaces or colons stay one value. */
    private static String quote(String s) throws JsonProcessingException {
        return LINES.writeValueAsString(s);
    }
}
