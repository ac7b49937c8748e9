package org.meftspark.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;

/**
 * The weights of a Hugging Face model folder: either one {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json} ({@code {"metadata": {...}, "weight_map":
 * {tensor name: shard file name}}}). Every shard's header is validated when the checkpoint is
 * opened, and the index is cross-checked against the shards, so an inconsistent folder fails
 * before any weight is loaded.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path folder;
    private final Map<String, SafetensorsFile> fileOf; // tensor name -> the shard that holds it (sorted by name)
    private final List<SafetensorsFile> files;

    private SafetensorsCheckpoint(Path folder, Map<String, SafetensorsFile> fileOf, List<SafetensorsFile> files) {
        this.folder = folder;
        this.fileOf = Collections.unmodifiableMap(fileOf);
        this.files = files;
    }

    /** Opens the sharded index when present, otherwise {@code model.safetensors}. */
    public static SafetensorsCheckpoint open(Path folder) {
        Path index = folder.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(folder, index);
        }
        Path single = folder.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new SafetensorsException(folder + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE
                    + " found (only safetensors checkpoints are supported, not pytorch_model.bin)");
        }
        SafetensorsFile f = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> map = new TreeMap<>();
        for (String name : f.header().tensors().keySet()) {
            map.put(name, f);
        }
        return new SafetensorsCheckpoint(folder, map, List.of(f));
    }

    private static SafetensorsCheckpoint openSharded(Path folder, Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new SafetensorsException(index + ": cannot read or parse: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index + ": missing 'weight_map' object");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> fileOf = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    problems.add("'" + e.getKey() + "' maps to a non-string");
                    continue;
                }
                String shard = e.getValue().textValue();
                // The index is untrusted too: a shard must be a plain file name inside the folder.
                if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
                    problems.add("'" + e.getKey() + "' maps to '" + shard + "', which is not a file name in the folder");
                    continue;
                }
                SafetensorsFile f = shards.get(shard);
                if (f == null) {
                    Path p = folder.resolve(shard);
                    if (!Files.isRegularFile(p)) {
                        problems.add("shard " + shard + " (holding '" + e.getKey() + "') does not exist");
                        continue;
                    }
                    f = SafetensorsFile.open(p);
                    shards.put(shard, f);
                }
                if (!f.header().tensors().containsKey(e.getKey())) {
                    problems.add("'" + e.getKey() + "' is listed in " + shard + " but that shard has no such tensor");
                    continue;
                }
                fileOf.put(e.getKey(), f);
            }
            for (Map.Entry<String, SafetensorsFile> s : shards.entrySet()) {
                for (String name : s.getValue().header().tensors().keySet()) {
                    if (fileOf.get(name) != s.getValue()) {
                        problems.add("shard " + s.getKey() + " holds '" + name + "' which the index maps elsewhere or not at all");
                    }
                }
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        if (!problems.isEmpty()) {
            shards.values().forEach(SafetensorsFile::close);
            throw new SafetensorsException(index + ": inconsistent sharded checkpoint:\n  " + String.join("\n  ", problems));
        }
        return new SafetensorsCheckpoint(folder, fileOf, new ArrayList<>(shards.values()));
    }

    public Path folder() {
        return folder;
    }

    /** Every tensor name in the checkpoint, sorted. */
    public java.util.Set<String> names() {
        return fileOf.keySet();
    }

    public TensorEntry entry(String name) {
        return file(name).entry(name);
    }

    /** Loads one tensor as a CPU tensor in its stored dtype, bit-exact. */
    public Tensor load(String name) {
        return file(name).load(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new SafetensorsException(folder + ": no tensor named '" + name + "'");
        }
        return f;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
