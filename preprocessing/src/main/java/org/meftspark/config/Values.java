package org.meftspark.config;

import java.util.Map;

/** The parsed values of one section, defaults filled in; handed to the section's builder. */
public final class Values {
    private final Map<Key<?>, Object> values;

    Values(Map<Key<?>, Object> values) {
        this.values = values;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("key '" + key.name() + "' is not declared in this section");
        }
        return (T) values.get(key);
    }
}
