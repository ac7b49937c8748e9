package org.meftspark.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.meftspark.data.Dataset;

/**
 * The scores of one prediction.
 *
 * @param dataset  which task
 * @param values   every metric of {@link Metric#of(Dataset)}, or none when the row could not be scored
 *                 (no usable reference); never NaN
 * @param warnings what was wrong with the input, in the order met (may repeat a kind)
 */
public record RowScore(Dataset dataset, Map<Metric, Double> values, List<ScoreWarning> warnings) implements Serializable {
    /** Copies; checks every value is finite and in [0, 1]. */
    public RowScore {
        values = values.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(values));
        warnings = List.copyOf(warnings);
        for (Map.Entry<Metric, Double> e : values.entrySet()) {
            double v = e.getValue();
            if (!(v >= 0 && v <= 1)) { // also rejects NaN
                throw new IllegalArgumentException(e.getKey().key() + " = " + v + " is outside [0, 1]");
            }
        }
    }

    /** Whether the row has metric values (false when it had no usable reference). */
    public boolean scored() {
        return !values.isEmpty();
    }

    /** The value of one metric, empty when the row was not scored or the metric is not one of its dataset's. */
    public OptionalDouble get(Metric m) {
        Double v = values.get(m);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Whether the row counts as wrong for the report: scored and below 1 on the dataset's headline metric. */
    public boolean wrong() {
        return scored() && values.get(Metric.primary(dataset)) < 1.0;
    }
}
