package org.meftspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.jobs.preprocess.NearDuplicates;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.Manifest;
import org.meftspark.spark.Sessions;

/**
 * docs/benchmarks.md, "The contamination check at 1M records" (issue 20 item 3): the preprocess job with the check
 * on, over the first R records of a {@code bin/meft make-facts} world (60% training questions, 40% held-out
 * paraphrases as dev), with near-duplicates of dev questions planted among the training records (Jaccard 0.7 to
 * 0.95 over the check's shingles: word swaps, insertions, deletions, replacements, case and punctuation). Prints the
 * check's time against the whole job's, its work, and the share of planted pairs it found.
 *
 * <pre>ContaminationBenchmark MAKE_FACTS_DIR WORK_DIR RECORDS[,RECORDS...] [PLANTED] [CORES]</pre>
 */
public final class ContaminationBenchmark {
    private static final Pattern PHASE = Pattern.compile("contamination ([0-9.]+) s");

    private ContaminationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path facts = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        int planted = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int cores = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        List<String> train = Files.readAllLines(facts.resolve("train.jsonl"));
        List<String> heldout = Files.readAllLines(facts.resolve("heldout.jsonl"));
        ObjectMapper json = new ObjectMapper();
        System.out.println("| records (+ planted) | job s | contamination s | share of the job | candidate pairs compared "
                + "| largest bucket | pairs found | planted found | other pairs |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        try (SparkSession spark = Sessions.create("meft-contamination-bench", "local[" + cores + "]", Map.of())) {
            for (String r : args[2].split(",")) {
                int records = Integer.parseInt(r);
                int nTrain = Math.min(train.size(), records * 3 / 5);
                int nDev = Math.min(heldout.size(), records - nTrain);
                Path dir = Files.createDirectories(work.resolve("r" + records));
                List<String> devQuestions = heldout.subList(0, nDev).stream().map(l -> question(json, l)).toList();
                List<NearDuplicates.Planted> plants = NearDuplicates.of(devQuestions, planted, 0.7, 0.95, 1, 20);
                try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("train.jsonl"))) {
                    for (String line : train.subList(0, nTrain)) {
                        w.write(line);
                        w.newLine();
                    }
                    for (NearDuplicates.Planted p : plants) {
                        w.write(json.writeValueAsString(Map.of("question", p.question(), "answer", List.of("planted"))));
                        w.newLine();
                    }
                }
                Files.write(dir.resolve("dev.jsonl"), heldout.subList(0, nDev));
                Path out = dir.resolve("shards");
                Path yaml = dir.resolve("job.yaml");
                Files.writeString(yaml, """
                        data:
                          inputs:
                            - {dataset: nq_open, path: "%1$s/train.jsonl", split: train}
                            - {dataset: nq_open, path: "%1$s/dev.jsonl", split: dev}
                          shards: "%2$s"
                          max_length: 256
                          overwrite: true
                        model: {tokenizer: byte}
                        """.formatted(dir, out));
                RunConfig cfg = RunConfigLoader.load(yaml, List.of());
                long t0 = System.nanoTime();
                Preprocess.Result result = Preprocess.run(spark, cfg);
                double jobS = (System.nanoTime() - t0) / 1e9;
                Matcher m = PHASE.matcher(result.table());
                double checkS = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
                Manifest.Contamination c = result.manifest().contamination();
                Set<String> found = new HashSet<>();
                try (Stream<Path> files = Files.list(out.resolve("_contamination"))) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                        for (String line : Files.readAllLines(f)) {
                            if (line.isBlank()) {
                                continue;
                            }
                            var p = json.readTree(line);
                            found.add(p.get("train_question").asText() + " | " + p.get("eval_question").asText());
                        }
                    }
                }
                long plantedFound = plants.stream().filter(p -> found.contains(p.question() + " | " + p.original())).count();
                System.out.printf(Locale.ROOT, "| %,d (+ %d) | %.1f | %.1f | %.0f%% | %,d | %,d ('%s') | %,d | %d / %d | %,d |%n",
                        nTrain + nDev, plants.size(), jobS, checkS, 100 * checkS / jobS, c.comparedPairs(),
                        c.largestBucketPairs(), c.largestBucket(), c.pairs(), plantedFound, plants.size(),
                        c.pairs() - plantedFound);
                result.table().lines().filter(l -> l.contains("e.g.")).limit(3).forEach(l -> System.out.println("  " + l.strip()));
            }
        }
    }

    private static String question(ObjectMapper json, String line) {
        try {
            return json.readTree(line).get("question").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
