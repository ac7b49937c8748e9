package org.meftspark.jobs.input;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.meftspark.config.DataSection;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.UnusableInputException;

/**
 * One data file of a configured input, with the reader it needs. Inputs name files,
 * directories or globs; the driver expands them here, before any work starts, so a missing
 * path stops the job with a message naming it and the config entry.
 *
 * @param input   index in {@code data.inputs}
 * @param dataset the input's dataset
 * @param path    the file (a Hadoop path string)
 * @param kind    how to read it
 * @param split   the input's split, or empty to derive it from the id
 */
public record InputFile(int input, Dataset dataset, String path, Kind kind, String split) implements Serializable {

    /** How a file is read. */
    public enum Kind {
        /** Library readers on a Hadoop stream, one task per file. */
        JSONL, JSON, HF_ARROW,
        /** Spark's Parquet reader, then {@code RowMapping}. */
        PARQUET
    }

    /** Hugging Face save_to_disk metadata next to the data-*.arrow files: not data. */
    private static final Set<String> HF_METADATA = Set.of("dataset_info.json", "state.json", "dataset_dict.json");

    /** The reader format of a library-read kind. */
    public DatasetReaders.Format format() {
        return switch (kind) {
            case JSONL -> DatasetReaders.Format.JSONL;
            case JSON -> DatasetReaders.Format.JSON;
            case HF_ARROW -> DatasetReaders.Format.HF_ARROW;
            case PARQUET -> throw new IllegalStateException("Parquet is read by Spark");
        };
    }

    /**
     * Every data file of every input, in config order (files of a directory sorted by name).
     *
     * @throws UnusableInputException naming the input when a path matches nothing or a directory holds no data file
     */
    public static List<InputFile> resolve(List<DataSection.Input> inputs, Configuration conf) {
        List<InputFile> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            DataSection.Input in = inputs.get(i);
            String where = "data.inputs[" + i + "] (" + in.dataset().key() + ", " + in.path() + ")";
            try {
                Path p = new Path(in.path());
                FileSystem fs = p.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new UnusableInputException(where + ": input path " + in.path()
                            + " does not exist; check the path in the config", null);
                }
                Arrays.sort(matches);
                int before = out.size();
                for (FileStatus m : matches) {
                    if (m.isDirectory()) {
                        List<LocatedFileStatus> files = new ArrayList<>();
                        RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                        while (it.hasNext()) {
                            files.add(it.next());
                        }
                        files.sort(null);
                        for (LocatedFileStatus f : files) {
                            String name = f.getPath().getName();
                            // Hidden and underscore files are Hadoop/Spark bookkeeping (_SUCCESS, .crc).
                            if (name.startsWith(".") || name.startsWith("_") || HF_METADATA.contains(name)) {
                                continue;
                            }
                            Kind k = kindOf(in, name, false, where);
                            if (k != null) {
                                out.add(new InputFile(i, in.dataset(), f.getPath().toString(), k, in.split()));
                            } else {
                                System.err.println("preprocess: " + where + ": skipping " + f.getPath()
                                        + " (not .jsonl, .json, .arrow or .parquet; set format to read it anyway)");
                            }
                        }
                    } else {
                        out.add(new InputFile(i, in.dataset(), m.getPath().toString(),
                                kindOf(in, m.getPath().getName(), true, where), in.split()));
                    }
                }
                if (out.size() == before) {
                    throw new UnusableInputException(where + ": no data files (.jsonl, .json, .arrow, .parquet) under "
                            + in.path(), null);
                }
            } catch (IOException e) {
                throw new UnusableInputException(where + ": cannot list " + in.path() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The kind for a file; null for an unrecognised file inside a directory read with format auto (skipped). */
    private static Kind kindOf(DataSection.Input in, String name, boolean explicit, String where) {
        return switch (in.format()) {
            case PUBLISHED -> switch (in.dataset()) {
                case NQ_OPEN, GSM8K -> Kind.JSONL;
                case SQUAD, TOOLBENCH -> Kind.JSON;
            };
            case PARQUET -> Kind.PARQUET;
            case HF_ARROW -> Kind.HF_ARROW;
            case AUTO -> {
                String n = name.toLowerCase(Locale.ROOT);
                if (n.endsWith(".parquet")) {
                    yield Kind.PARQUET;
                }
                try {
                    yield switch (DatasetReaders.Format.fromFileName(n)) {
                        case JSONL -> Kind.JSONL;
                        case JSON -> Kind.JSON;
                        case HF_ARROW -> Kind.HF_ARROW;
                    };
                } catch (IllegalArgumentException e) {
                    if (explicit) {
                        throw new UnusableInputException(where + ": " + e.getMessage() + " (format: published, parquet "
                                + "or hf_arrow)", e);
                    }
                    yield null;
                }
            }
        };
    }
}
