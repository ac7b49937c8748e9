package org.meftspark.jobs.pipeline;

import java.util.List;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;

/**
 * What a pipeline run is asked to do: the variants to train and evaluate, as values, and the text
 * that the run directory records for them ({@code config.yaml} and the {@code --set} overrides in
 * {@code run.json}), from which {@code meft generate --adapter} and a rerun rebuild the same variants.
 *
 * @param configText the configuration file's text, written to the run directory
 * @param source     the file's name, for messages
 * @param overrides  the overrides that, over {@code configText}, give exactly {@code variants}
 * @param variants   what is trained and evaluated, in report order
 */
public record RunRequest(String configText, String source, List<String> overrides, List<RunVariant> variants) {
    public RunRequest {
        overrides = List.copyOf(overrides);
        variants = List.copyOf(variants);
        if (variants.isEmpty()) {
            throw new IllegalArgumentException(source + ": nothing to run: no variants");
        }
    }

    /** The command line's request: the file and its overrides, parsed and validated once, here. */
    public static RunRequest parse(String configText, String source, List<String> overrides) {
        return new RunRequest(configText, source, overrides, RunConfigLoader.variants(configText, source, overrides));
    }

    /**
     * Refuses a request whose recorded text would rebuild other variants than those it runs (a job that
     * built its variants as values, the study, must record them faithfully): the run directory would
     * otherwise describe a run that did not happen.
     */
    void requireRecordedFaithfully() {
        List<RunVariant> rebuilt = RunConfigLoader.variants(configText, source, overrides);
        List<String> differ = new java.util.ArrayList<>();
        for (int i = 0; i < Math.max(rebuilt.size(), variants.size()); i++) {
            RunVariant a = i < variants.size() ? variants.get(i) : null;
            RunVariant b = i < rebuilt.size() ? rebuilt.get(i) : null;
            if (a == null || b == null || !a.name().equals(b.name()) || !a.config().equals(b.config())) {
                differ.add(a == null ? "(none)" : a.name());
            }
        }
        if (!differ.isEmpty()) {
            throw new IllegalStateException(source + ": the overrides recorded for this run would rebuild other "
                    + "configurations than those of variants " + differ + "; this is a bug in the job that built them");
        }
    }
}
