package org.meftspark.prompt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.meftspark.data.Dataset;
import org.meftspark.hash.Sha256;

/**
 * The prompt template of every dataset. The built-in defaults are the files of
 * {@code conf/templates/} (packaged on the classpath under {@code templates/} by the build,
 * one source for both); a directory given by the user overrides any of them file by file
 * ({@code <dataset>.txt}, e.g. {@code squad.txt}).
 */
public final class PromptTemplates implements java.io.Serializable {
    // Serializable so a Spark driver loads and validates the templates once and ships them to
    // executors, which may not see the driver's template directory.
    private static final long serialVersionUID = 1L;
    private final Map<Dataset, PromptTemplate> templates;

    private PromptTemplates(Map<Dataset, PromptTemplate> templates) {
        this.templates = templates;
    }

    /** The packaged defaults. */
    public static PromptTemplates builtIn() {
        return load(null);
    }

    /**
     * The templates of {@code data.templates}: the default folder falls back to the packaged
     * copies when run elsewhere (an executor, a test); any other folder must exist.
     */
    public static PromptTemplates configured(String dir) {
        Path p = Path.of(dir);
        if (!java.nio.file.Files.isDirectory(p) && dir.equals(org.meftspark.config.DataSection.TEMPLATES.defaultValue())) {
            return builtIn();
        }
        try {
            return load(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data.templates: " + e.getMessage(), e);
        }
    }

    /**
     * Loads {@code <dataset>.txt} from {@code dir} where present, the packaged default otherwise.
     *
     * @param dir an override directory, or null for the defaults only
     * @throws IllegalArgumentException when {@code dir} is not a directory or a template is invalid
     */
    public static PromptTemplates load(Path dir) {
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("template directory " + dir + " does not exist or is not a directory");
        }
        Map<Dataset, PromptTemplate> m = new EnumMap<>(Dataset.class);
        for (Dataset d : Dataset.values()) {
            String file = d.key() + ".txt";
            try {
                if (dir != null && Files.isRegularFile(dir.resolve(file))) {
                    Path p = dir.resolve(file);
                    m.put(d, PromptTemplate.parse(d, strictUtf8(Files.readAllBytes(p), p.toString()), p.toString()));
                } else {
                    String resource = "templates/" + file;
                    try (InputStream in = PromptTemplates.class.getClassLoader().getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new IllegalStateException("built-in template " + resource + " is missing from the classpath");
                        }
                        m.put(d, PromptTemplate.parse(d, strictUtf8(in.readAllBytes(), resource), "classpath:" + resource));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read template " + file, e);
            }
        }
        return new PromptTemplates(m);
    }

    private static String strictUtf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("prompt template " + source + " is not valid UTF-8", e);
        }
    }

    /** The template of one dataset. */
    public PromptTemplate get(Dataset d) {
        return templates.get(d);
    }

    /** Dataset key -> sha256 of its template, for the manifest. */
    public Map<String, String> hashes() {
        Map<String, String> out = new TreeMap<>();
        templates.forEach((d, t) -> out.put(d.key(), t.sha256()));
        return out;
    }

    /** One hash over all templates ({@code key=sha256} lines in key order): changes when any template does. */
    public String combinedHash() {
        StringBuilder sb = new StringBuilder();
        hashes().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return Sha256.hex(sb.toString());
    }
}
