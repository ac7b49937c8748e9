package org.meftspark.jobs.train;

import java.io.Serializable;
import java.util.List;

/**
 * What one training task needs, as plain strings: the configuration is parsed again on the
 * executor (from the same text and overrides), so what trains is exactly what was validated.
 *
 * @param variant    the sweep variant's name
 * @param configText the run configuration file's text
 * @param source     the file's name, for messages
 * @param overrides  the variant's overrides (command line, then its own)
 * @param trainDir   the variant's training directory (any Hadoop path)
 */
record TrainTask(String variant, String configText, String source, List<String> overrides, String trainDir)
        implements Serializable {
    private static final long serialVersionUID = 1L;
}
