package org.meftspark.doctor;

/**
 * The outcome of one doctor check.
 *
 * @param name   what was checked
 * @param status the verdict
 * @param detail what was found (versions, figures)
 * @param advice what to do about a problem; empty when there is none
 */
public record Check(String name, Status status, String detail, String advice) {

    /** FAIL means a CPU run cannot work; NOTE is information (for example: no GPU here). */
    public enum Status { OK, NOTE, WARN, FAIL }

    static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    static Check note(String name, String detail) {
        return new Check(name, Status.NOTE, detail, "");
    }

    static Check warn(String name, String detail, String advice) {
        return new Check(name, Status.WARN, detail, advice);
    }

    static Check fail(String name, String detail, String advice) {
        return new Check(name, Status.FAIL, detail, advice);
    }
}
