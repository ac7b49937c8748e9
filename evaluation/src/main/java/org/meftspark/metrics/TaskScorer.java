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
 *
 * <p>SQuAD follows {@code evaluate-v2.0.py} where v2.0 differs: an unanswerable question ({@link Golds#noAnswer()})
 * has the one gold answer "" (EM and F1 are 1 exactly when the prediction normalises to nothing), and every
 * SQuAD row also gets the {@code HasAns_}/{@code NoAns_} metric of its kind, so their means are the script's
 * breakdowns. On answerable questions v1.1 and v2.0 agree except for golds that normalise to nothing, which
 * v2.0 drops (counted here as {@link ScoreWarning#GOLD_NORMALIZES_TO_EMPTY} and kept, as v1.1 does).
 */
public final class TaskScorer {
    private TaskScorer() {
    }

    /** Scores {@code prediction} against plain {@code references} with the metrics of {@code dataset}. */
    public static RowScore score(Dataset dataset, String prediction, List<String> references) {
        return score(dataset, prediction, Golds.of(references));
    }

    /** Scores {@code prediction} against {@code golds} with the metrics of {@code dataset}. */
    public static RowScore score(Dataset dataset, String prediction, Golds golds) {
        List<String> references = golds.references();
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
        if (golds.noAnswer() && dataset == Dataset.SQUAD) {
            return new RowScore(dataset, noAnswer(p), warnings);
        }
        List<String> usable = new ArrayList<>();
        for (String r : references) {
            if (r == null || r.isBlank()) {
                warnings.add(ScoreWarning.BLANK_REFERENCE);
            } else {
                usable.add(r);
            }
        }
        if (usable.isEmpty()) {
            warnings.add(ScoreWarning.NO_REFERENCES);
            return new RowScore(dataset, Map.of(), warnings);
        }
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        switch (dataset) {
            case NQ_OPEN -> answers(p, usable, AnswerNormalization.NQ_OPEN, values, warnings);
            case SQUAD -> {
                answers(p, usable, AnswerNormalization.SQUAD, values, warnings);
                values.put(Metric.HAS_ANS_EM, values.get(Metric.EM));
                values.put(Metric.HAS_ANS_F1, values.get(Metric.F1));
            }
            case TOOLBENCH -> tools(p, usable, golds.candidates(), values, warnings);
            case GSM8K -> gsm8k(p, usable, values, warnings);
        }
        return new RowScore(dataset, values, warnings);
    }

    /**
     * {@code evaluate-v2.0.py} on a question with no answer: the gold list is {@code ['']}, {@code compute_exact}
     * compares normalised strings and {@code compute_f1} returns {@code int(gold_toks == pred_toks)} when either
     * side has no token, so EM and F1 are both 1 exactly when the prediction normalises to nothing. CONTAINS has
     * no meaning for an empty gold and is left out.
     */
    private static Map<Metric, Double> noAnswer(String p) {
        double v = AnswerNormalization.SQUAD.normalize(p).isEmpty() ? 1.0 : 0.0;
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        values.put(Metric.EM, v);
        values.put(Metric.F1, v);
        values.put(Metric.NO_ANS_EM, v);
        values.put(Metric.NO_ANS_F1, v);
        return values;
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

    private static void tools(String p, List<String> golds, List<String> candidates, Map<Metric, Double> values,
                              List<ScoreWarning> warnings) {
        Set<ApiPair> gold = new HashSet<>();
        for (String g : golds) {
            Optional<ApiPair> pair = ToolCallParser.parseLine(g, candidates);
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
        ToolCallParser.Parsed parsed = ToolCallParser.parse(p, candidates);
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

    /**
     * {@code accuracy}: the GSM8K authors' {@code is_correct}, the official extraction of the prediction equal to
     * the reference as a string (the reference was extracted the same way at preprocessing). {@code
     * accuracy_lenient}: {@link FinalNumber}'s reading, compared as numbers.
     */
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
        Optional<String> official = FinalNumber.official(p);
        if (official.isEmpty() && found.isPresent()) {
            warnings.add(ScoreWarning.NO_OFFICIAL_ANSWER_LINE);
        }
        boolean officialHit = official.isPresent() && golds.stream().anyMatch(g -> g.strip().replace(",", "")
                .equals(official.get()));
        values.put(Metric.ACCURACY, officialHit ? 1.0 : 0.0);
        values.put(Metric.ACCURACY_LENIENT, hit ? 1.0 : 0.0);
    }
}
