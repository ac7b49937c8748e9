package org.meftspark.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Entry point: opens the right streaming reader for a dataset in one of its published
 * formats. The {@code InputStream} overloads let the Spark job pass Hadoop
 * {@code FileSystem} streams; the {@code Path} overloads are for local files.
 */
public final class DatasetReaders {
    private DatasetReaders() {
    }

    /** The published formats this library reads itself (Parquet is read by the Spark job; see {@link RowMapping}). */
    public enum Format {
        /** One JSON object per line (NQ-open, GSM8K). */
        JSONL,
        /** One JSON document (SQuAD v1.1 object, ToolBench query array). */
        JSON,
        /** A Hugging Face {@code save_to_disk} {@code data-*.arrow} file (Arrow IPC stream). */
        HF_ARROW;

        /** The format a file name implies: {@code .jsonl}, {@code .json} or {@code .arrow}. */
        public static Format fromFileName(String fileName) {
            String n = fileName.toLowerCase(Locale.ROOT);
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
                return JSONL;
            }
            if (n.endsWith(".json")) {
                return JSON;
            }
            if (n.endsWith(".arrow")) {
                return HF_ARROW;
            }
            throw new IllegalArgumentException("cannot tell the format of '" + fileName
                    + "' from its extension (.jsonl, .json or .arrow); name the format explicitly");
        }
    }

    /** Opens a reader over a stream; the reader owns and closes the stream. */
    public static ReadResults open(Dataset dataset, Format format, String split, InputStream in, String name,
                                   ReaderOptions options) {
        return switch (format) {
            case JSONL -> new JsonlReader(dataset, split, in, name, options);
            case JSON -> new JsonDocumentReader(dataset, split, in, name, options);
            case HF_ARROW -> new HfArrowReader(dataset, split, in, name);
        };
    }

    /**
     * Opens a local file, choosing the format from its extension.
     *
     * @throws UnusableInputException when the path is missing, a directory, or unreadable
     */
    public static ReadResults open(Dataset dataset, String split, Path file, ReaderOptions options) {
        return open(dataset, Format.fromFileName(file.getFileName().toString()), split, file, options);
    }

    /** Opens a local file in the given format. */
    public static ReadResults open(Dataset dataset, Format format, String split, Path file, ReaderOptions options) {
        if (Files.isDirectory(file)) {
            throw new UnusableInputException(file + " is a directory; pass its data files (for save_to_disk output: data-*.arrow)", null);
        }
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new UnusableInputException("input file " + file + " does not exist; check the path in the config", e);
        } catch (IOException e) {
            throw new UnusableInputException("cannot open input file " + file + ": " + e.getMessage(), e);
        }
        return open(dataset, format, split, in, file.toString(), options);
    }
}
