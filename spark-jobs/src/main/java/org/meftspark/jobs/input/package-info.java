/**
 * Dataset files read into records, shared by the preprocess and score jobs: each record comes out as an
 * example or as a {@link org.meftspark.jobs.input.Reject} with its reason ({@link org.meftspark.jobs.input.Outcome}),
 * never as a failed task, and {@link org.meftspark.jobs.input.RejectPolicy} decides when a run lost too many.
 * Score reads raw references with the same readers preprocess uses, so the two must not drift apart; keeping
 * them here lets both jobs depend on this package instead of score depending on preprocess's internals.
 */
package org.meftspark.jobs.input;
