/**
 * Scored rows and what is written from them, shared by the evaluate and score jobs: one
 * {@link org.meftspark.jobs.results.EvalRow} per example, the {@code predictions/} Parquet table
 * ({@link org.meftspark.jobs.results.ResultTable}), the means with bootstrap intervals and the sample of
 * wrong answers ({@link org.meftspark.jobs.results.ResultAggregate}), and {@code metrics.json} and
 * {@code report.html} ({@link org.meftspark.jobs.results.Outputs}). Both jobs must write the same files in the
 * same form (the pipeline and the notebooks read either), so both depend on this package.
 */
package org.meftspark.jobs.results;
