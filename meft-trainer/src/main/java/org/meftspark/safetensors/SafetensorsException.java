package org.meftspark.safetensors;

/** A safetensors file or index that is malformed, inconsistent or unreadable; the message names the file (and tensor). */
public class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
