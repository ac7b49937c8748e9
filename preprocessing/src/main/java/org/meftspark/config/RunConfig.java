package org.meftspark.config;

import java.util.List;

/**
 * A complete, validated run configuration: one YAML file with one mapping per
 * section. Read it with {@link RunConfigLoader}; the key reference is in
 * docs/configuration.md (generated from the declarations by {@link #reference()}).
 */
public record RunConfig(RunSection run, DataSection data, ModelSection model, AdapterSection adapter,
                        TrainingSection training, EvaluationSection evaluation, SparkSection spark,
                        StudySection study, PretrainSection pretrain) implements java.io.Serializable {

    /** Every section, in file order. */
    public static final List<Section<?>> SECTIONS = List.of(RunSection.SECTION, DataSection.SECTION,
            ModelSection.SECTION, AdapterSection.SECTION, TrainingSection.SECTION, EvaluationSection.SECTION,
            SparkSection.SECTION, StudySection.SECTION, PretrainSection.SECTION);

    /** The configuration with every key at its default. */
    public static RunConfig defaults() {
        return new RunConfig(RunSection.SECTION.defaults(), DataSection.SECTION.defaults(),
                ModelSection.SECTION.defaults(), AdapterSection.SECTION.defaults(), TrainingSection.SECTION.defaults(),
                EvaluationSection.SECTION.defaults(), SparkSection.SECTION.defaults(), StudySection.SECTION.defaults(),
                PretrainSection.SECTION.defaults());
    }

    /**
     * Rules that span sections; each message names the keys involved. (A GPU run in local mode is
     * refused where the real master is known, when the stage is scheduled: spark-submit's master
     * wins over spark.master.)
     */
    List<String> crossSectionProblems() {
        return List.of();
    }

    /** Markdown reference of every section and key: name, default, allowed values, meaning. */
    public static String reference() {
        StringBuilder sb = new StringBuilder();
        for (Section<?> s : SECTIONS) {
            sb.append("### `").append(s.name()).append("`\n\n").append(s.doc()).append("\n\n");
            appendKeys(sb, s, "");
            if (s == RunSection.SECTION) {
                sb.append("Each entry of `run.sweep`:\n\n");
                appendKeys(sb, RunSection.Variant.SECTION, "sweep[].");
            }
            if (s == EvaluationSection.SECTION) {
                sb.append("Each entry of `evaluation.per_dataset`:\n\n");
                appendKeys(sb, EvaluationSection.PerDataset.SECTION, "per_dataset[].");
            }
            if (s == DataSection.SECTION) {
                sb.append("Each entry of `data.inputs`:\n\n");
                appendKeys(sb, DataSection.Input.SECTION, "inputs[].");
            }
        }
        return sb.toString();
    }

    private static void appendKeys(StringBuilder sb, Section<?> s, String prefix) {
        sb.append("| key | default | allowed | meaning |\n| --- | --- | --- | --- |\n");
        for (Key<?> k : s.keys()) {
            String def = k.required() ? "(required)" : "`" + render(k.defaultValue()) + "`";
            sb.append("| `").append(prefix).append(k.name()).append("` | ").append(def).append(" | ")
                    .append(k.allowed().replace("|", "\\|")).append(" | ").append(k.doc()).append(" |\n");
        }
        sb.append('\n');
    }

    private static String render(Object v) {
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
        if ("".equals(v)) {
            return "\"\"";
        }
        if (v instanceof List<?> l && l.isEmpty()) {
            return "[]";
        }
        if (v instanceof java.util.Map<?, ?> m && m.isEmpty()) {
            return "{}";
        }
        return String.valueOf(v);
    }

    // Withers: jobs derive a variant's configuration from another as a value (the study's variants,
    // an evaluation limited to a sample) instead of writing and re-parsing YAML overrides.

    public RunConfig withRun(RunSection r) {
        return new RunConfig(r, data, model, adapter, training, evaluation, spark, study, pretrain);
    }

    public RunConfig withData(DataSection d) {
        return new RunConfig(run, d, model, adapter, training, evaluation, spark, study, pretrain);
    }

    public RunConfig withAdapter(AdapterSection a) {
        return new RunConfig(run, data, model, a, training, evaluation, spark, study, pretrain);
    }

    public RunConfig withTraining(TrainingSection t) {
        return new RunConfig(run, data, model, adapter, t, evaluation, spark, study, pretrain);
    }

    public RunConfig withEvaluation(EvaluationSection e) {
        return new RunConfig(run, data, model, adapter, training, e, spark, study, pretrain);
    }
}
