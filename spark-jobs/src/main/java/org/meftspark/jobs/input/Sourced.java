package org.meftspark.jobs.input;

import java.io.Serializable;
import org.meftspark.data.Example;

/**
 * An example with the position of the configured input it was read from, which decides
 * between duplicates (see {@code org.meftspark.jobs.preprocess.Dedup}).
 *
 * @param input   index in {@code data.inputs}
 * @param example the example (its split already assigned)
 */
public record Sourced(int input, Example example) implements Serializable {
}
