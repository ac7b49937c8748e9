package org.meftspark.jobs.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.meftspark.data.Rejection;

/**
 * One record kept out of the shards, as written to {@code _rejects/} (one JSON object per
 * line): why, in words and as a counted code, where it came from, and its id.
 *
 * @param reason  snake_case code counted in the manifest ({@code malformed_json}, {@code duplicate_id}, ...)
 * @param message what is wrong and what to do
 * @param source  {@code file:line}, {@code file:line (json.path)} or {@code file#index}
 * @param dataset dataset key of the input
 * @param id      the record's id as far as it could be read (issue 18: a user must be able to tell which
 *                records were dropped); empty only for records that hold none (a line that is not JSON)
 * @param split   the record's split when known (examples, inputs that name theirs); empty otherwise
 * @param tokens  for a length reject, the tokens the example needs uncut (0 otherwise): the input of the
 *                summary's suggested max_length
 */
public record Reject(String reason, String message, String source, String dataset, String id, String split,
                     int tokens) implements Serializable {
    /** The reason of a duplicate kept out because another copy of the same question was kept. */
    public static final String DUPLICATE_ID = "duplicate_id";
    /** The reason of a training example removed for near-duplicating an evaluation question. */
    public static final String CONTAMINATED = "contaminated";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reject outside preprocessing's length policy (no split, no token count). */
    public Reject(String reason, String message, String source, String dataset, String id) {
        this(reason, message, source, dataset, id, "", 0);
    }

    /** A reader's (or the sequence builder's) rejection; its own id is used when {@code id} is empty. */
    public static Reject of(Rejection r, String dataset, String id, String split, int tokens) {
        return new Reject(r.reason().code(), r.message(), r.source().toString(), dataset, id.isEmpty() ? r.id() : id,
                split, tokens);
    }

    /** The JSON line of {@code _rejects/}. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", reason);
        m.put("message", message);
        m.put("source", source);
        m.put("dataset", dataset);
        m.put("id", id);
        if (!split.isEmpty()) {
            m.put("split", split);
        }
        if (tokens > 0) {
            m.put("tokens", tokens);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
