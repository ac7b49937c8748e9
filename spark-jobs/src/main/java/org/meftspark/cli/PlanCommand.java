package org.meftspark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection.Method;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.model.ModelConfig;
import org.meftspark.train.MemoryPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meft plan}: device and host bytes of every variant of a run, from the model's
 * {@code config.json} alone (no weights needed), so a user learns whether a model trains on their
 * GPU before downloading it (issue 19 item 5). The device columns are {@link DeviceFootprint}, the
 * trainer's ledger's own accounting; activations are an estimate the ledger does not count.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Prints the memory a run will need per variant, from the model's config.json alone: "
                + "device bytes as the trainer's ledger counts them (frozen weights, trainables, gradients, AdamW "
                + "moments, MEFT's working set), estimated activations with and without gradient checkpointing, "
                + "and host bytes (MEFT's neuron store with its moments, pinned staging copies).",
                "A MEFT configuration is compared with a dense Parallel Adapter of the same N and with LoRA."})
final class PlanCommand implements Callable<Integer> {
    private static final double GIB = 1L << 30;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR_OR_CONFIG_JSON",
            description = "A model folder or its config.json (default: model.path of the configuration).")
    Path model;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Run configuration (YAML).")
    Path config;

    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override a configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        String text = RunConfigLoader.readText(config);
        List<RunVariant> variants = RunConfigLoader.variants(text, config.toString(), overrides);
        RunConfig base = RunConfigLoader.parse(text, config.toString(), overrides);
        Path json = configJson(model != null ? model : Path.of(base.model().path()));
        spec.commandLine().getOut().print(render(ModelConfig.read(json), base, variants));
        return 0;
    }

    /** A folder's config.json, or the file itself. */
    static Path configJson(Path p) {
        if (p.toString().startsWith("embedded:")) {
            throw new IllegalArgumentException("model " + p + " is embedded; pass --model with a model folder or config.json");
        }
        Path json = Files.isDirectory(p) ? p.resolve("config.json") : p;
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(json + " does not exist; --model takes a Hugging Face model folder or its config.json");
        }
        return json;
    }

    /** One planned row. */
    record Row(String name, AdapterSection adapter, MemoryPlan plan) {
    }

    /**
     * The variants of the run, then, for a MEFT base configuration, a dense Parallel Adapter of the same
     * N and LoRA at the configured rank, unless the sweep already holds that method.
     */
    static List<Row> rows(ModelConfig m, RunConfig base, List<RunVariant> variants) {
        List<Row> rows = new ArrayList<>();
        for (RunVariant v : variants) {
            rows.add(row(v.name(), v.config().adapter(), m, v.config()));
        }
        AdapterSection a = base.adapter();
        if (a.method() == Method.MEFT) {
            if (variants.stream().noneMatch(v -> v.config().adapter().method() == Method.PARALLEL_ADAPTER)) {
                rows.add(row("dense_pa_same_n", with(a, Method.PARALLEL_ADAPTER), m, base));
            }
            if (variants.stream().noneMatch(v -> v.config().adapter().method() == Method.LORA)) {
                rows.add(row("lora", with(a, Method.LORA), m, base));
            }
        }
        return rows;
    }

    private static Row row(String name, AdapterSection a, ModelConfig m, RunConfig c) {
        return new Row(name, a, MemoryPlan.of(a, m, c.model().dtype(), c.training().microBatchSize(), c.data().maxLength()));
    }

    private static AdapterSection with(AdapterSection a, Method method) {
        return new AdapterSection(method, a.neurons(), a.topK(), a.routing(), a.nProbe(), a.expertFactor(), a.unionCap(),
                a.freezeKeys(), a.loraRank(), a.loraAlpha(), a.loraDropout(), a.loraTargets(), a.routerSoftmax(),
                a.hostMemoryGb(), a.initStd());
    }

    /** The printed plan: a header and one Markdown table row per variant, sizes in GiB (2^30 bytes). */
    static String render(ModelConfig m, RunConfig base, List<RunVariant> variants) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "model: %s, %.2fB parameters, %d layers, d %d, %d/%d heads, vocab %d; frozen weights %s%n",
                m.architecture(), MemoryPlan.parameters(m) / 1e9, m.numHiddenLayers(), m.hiddenSize(),
                m.numAttentionHeads(), m.numKeyValueHeads(), m.vocabSize(), base.model().dtype().name().toLowerCase(Locale.ROOT)));
        sb.append(String.format(Locale.ROOT, "batch: micro_batch_size %d x max_length %d tokens; gradient_checkpointing %s%n",
                base.training().microBatchSize(), base.data().maxLength(), base.model().gradientCheckpointing()));
        sb.append("GiB; device columns are what the trainer's memory ledger counts (DeviceFootprint); "
                + "activations are an estimate it does not count\n");
        sb.append("| variant | method | frozen | trainable | gradients | moments | working set | device (ledger) "
                + "| + activations | + activations, checkpointed | host |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows(m, base, variants)) {
            DeviceFootprint f = r.plan().device();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.name(), describe(r.adapter()), g(f.frozenWeights()), g(f.trainable()), g(f.gradients()),
                    g(f.optimizerState()), g(f.workingSet()), g(f.total()), g(r.plan().deviceWithActivations(false)),
                    g(r.plan().deviceWithActivations(true)), g(r.plan().hostBytes())));
        }
        return sb.toString();
    }

    private static String describe(AdapterSection a) {
        return switch (a.method()) {
            case MEFT -> "meft N " + a.neurons() + ", L " + Math.min(a.unionCap(), a.neurons())
                    + (a.freezeKeys() ? ", keys frozen" : "");
            case PARALLEL_ADAPTER -> "parallel_adapter N " + a.neurons();
            case LORA -> "lora r " + a.loraRank() + " " + String.join(",", a.loraTargets());
            case FULL -> "full";
            case NONE -> "none";
        };
    }

    private static String g(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / GIB);
    }
}
