package org.meftspark.report;

/**
 * One quantity against the optimizer step, as read from a trainer's {@code metrics.jsonl}.
 *
 * @param name   the field's name; {@code field[i]} for element i of an array field,
 *               {@code field.key} for a key of an object field
 * @param steps  optimizer steps, shape [n], in file order
 * @param values the value at each step, shape [n], all finite
 */
public record Series(String name, long[] steps, double[] values) {

    /** Checks the arrays agree. */
    public Series {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("steps and values of " + name + " differ in length");
        }
    }

    /** A series without points. */
    public static Series empty(String name) {
        return new Series(name, new long[0], new double[0]);
    }

    /** Number of points. */
    public int size() {
        return steps.length;
    }

    /** Whether every value is the same (a flat line says less than the number itself; true when empty). */
    public boolean isConstant() {
        for (double v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }

    /** The same points under another name (for example prefixed with the variant). */
    public Series renamed(String newName) {
        return new Series(newName, steps, values);
    }
}
