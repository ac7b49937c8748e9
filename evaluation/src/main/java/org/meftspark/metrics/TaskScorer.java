package org.meftspark.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.meftspark.data.Dataset;

/**
 * All metrics of one prediction: the per-row entry point for the Spark jobs
 * ({@code mapPartitions} calls {@link #score} once per row). Stateless and thread-safe.
 *
 * <p>References are what {@link org.meftspark.data.Example#references()} holds: gold answers (NQ-open,
 * SQuAD), {@code "tool, api"} strings (ToolBench), the gold number (GSM8K). Bad input never throws:
 * a null prediction is scored as empty, null or blank references are dropped, and a row left without
 * a usable reference gets no values; each case adds a {@link ScoreWarning}.
 */
public final class TaskScorer {
    private TaskScorer() {
    }

    /** Scores {@code prediction} against {@code references} with the metrics of {@code dataset}. */
    public static RowScore score(Dataset dataset, String prediction, List<String> references) {
        List<ScoreWarning> warnings = new ArrayList<>();
        String p = prediction;
        if (p == null) {
            warnings.add(ScoreWarning.NULL_PREDICTION);
            p = "";
        } else if (p.isBlank()) {
            warnings.add(ScoreWarning.EMPTY_PREDICTION);
        }
        if (p.indexOf('\uFFFD') >= 0) {
            warnings.add(ScoreWarning.REPLACEMENT_CHARACTER);
        }
        List<String> golds = new ArrayList<>();
        if (references != null) {
            for (String r : references) {
                if (r == null || r.isBlank()) {
                    warnings.add(ScoreWarning.BLANK_REFERENCE);
                } else {
                    golds.add(r);
                }
            }
        }
        if (golds.isEmpty()) {
            warnings.add(ScoreWarning.NO_REFERENCES);
            return new RowScore(dataset, Map.of(), warnings);
        }
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        switch (dataset) {
            case NQ_OPEN -> answers(p, golds, AnswerNormalization.NQ_OPEN, values, warnings);
            case SQUAD -> answers(p, golds, AnswerNormalization.SQUAD, values, warnings);
            case TOOLBENCH -> tools(p, golds, values, warnings);
            case GSM8K -> gsm8k(p, golds, values, warnings);
        }
        return new RowScore(dataset, values, warnings);
    }

    private static void answers(String p, List<String> golds, AnswerNormalization norm,
                                Map<Metric, Double> values, List<ScoreWarning> warnings) {
        for (String g : golds) {
            if (norm.normalize(g).isEmpty()) {
                warnings.add(ScoreWarning.GOLD_NORMALIZES_TO_EMPTY);
            }
        }
        values.put(Metric.EM, ExactMatch.score(p, golds, norm));
        values.put(Metric.F1, TokenF1.score(p, golds, norm));
        values.put(Metric.CONTAINS, ContainsAnswer.score(p, golds, norm));
    }

    private static void tools(String p, List<String> golds, Map<Metric, Double> values, List<ScoreWarning> warnings) {
        Set<ApiPair> gold = new HashSet<>();
        for (String g : golds) {
            Optional<ApiPair> pair = ToolCallParser.parseLine(g);
            if (pair.isPresent()) {
                gold.add(pair.get());
            } else {
                warnings.add(ScoreWarning.UNPARSABLE_GOLD_PAIR);
            }
        }
        if (gold.isEmpty()) {
            warnings.add(ScoreWarning.NO_REFERENCES);
            return;
        }
        ToolCallParser.Parsed parsed = ToolCallParser.parse(p);
        for (int i = 0; i < parsed.unparsableLines(); i++) {
            warnings.add(ScoreWarning.UNPARSABLE_TOOL_LINE);
        }
        if (parsed.pairs().isEmpty() && !p.isBlank()) {
            warnings.add(ScoreWarning.NO_TOOL_PAIRS);
        }
        SetOverlap o = SetOverlap.of(parsed.pairs(), gold);
        values.put(Metric.IOU, o.iou());
        values.put(Metric.PRECISION, o.precision());
        values.put(Metric.RECALL, o.recall());
    }

    private static void gsm8k(String p, List<String> golds, Map<Metric, Double> values, List<ScoreWarning> warnings) {
        List<BigDecimal> gold = new ArrayList<>();
        for (String g : golds) {
            FinalNumber.parseGold(g).ifPresentOrElse(gold::add, () -> warnings.add(ScoreWarning.UNPARSABLE_GOLD_NUMBER));
        }
        if (gold.isEmpty()) {
            return;
        }
        Optional<FinalNumber.Found> found = FinalNumber.extract(p);
        if (found.isEmpty()) {
            warnings.add(ScoreWarning.NO_NUMBER_IN_PREDICTION);
        }
        boolean hit = found.isPresent() && gold.stream().anyMatch(g -> FinalNumber.sameValue(g, found.get().value()));
        values.put(Metric.ACCURACY, hit ? 1.0 : 0.0);
    }
}
