package org.meftspark.jobs.preprocess;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.meftspark.data.Rejection;

/**
 * One record kept out of the shards, as written to {@code _rejects/} (one JSON object per
 * line): why, in words and as a counted code, where it came from, and, when it was a valid
 * example removed by the job itself (duplicate, contaminated, too long), its id.
 *
 * @param reason  snake_case code counted in the manifest ({@code malformed_json}, {@code duplicate_id}, ...)
 * @param message what is wrong and what to do
 * @param source  {@code file:line} or {@code file#index}
 * @param dataset dataset key of the input
 * @param id      the example id, or empty for records that never became an example
 */
public record Reject(String reason, String message, String source, String dataset, String id) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reader's (or the sequence builder's) rejection. */
    public static Reject of(Rejection r, String dataset, String id) {
        return new Reject(r.reason().code(), r.message(), r.source().toString(), dataset, id);
    }

    /** The JSON line of {@code _rejects/}. */
    public String toJson() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("reason", reason);
        m.put("message", message);
        m.put("source", source);
        m.put("dataset", dataset);
        m.put("id", id);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
