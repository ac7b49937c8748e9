package org.meftspark.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import org.meftspark.synth.FactWorld.Town;

/**
 * Small samples of all four task datasets in their published formats, written by
 * the project from a seed (the quickstart needs no download). The content comes
 * from one {@link FactWorld}, so a tiny model can actually learn something:
 * <ul>
 *   <li>{@code nq_open/NQ-open.train.jsonl}, {@code NQ-open.dev.jsonl}: fact questions
 *       (dev asks held-out paraphrases);</li>
 *   <li>{@code squad/train-v1.1.json}, {@code dev-v1.1.json}: a paragraph per town, answers
 *       as character spans of it;</li>
 *   <li>{@code toolbench/G1_query.json}, {@code G1_query_dev.json}: queries over fictional
 *       town-registry tools with candidate APIs and the relevant ones;</li>
 *   <li>{@code gsm8k/train.jsonl}, {@code test.jsonl}: two-step arithmetic about the towns'
 *       exports, worked solutions ending {@code #### N}.</li>
 * </ul>
 * Every file is written to a temporary name and renamed when complete.
 */
public final class SampleDatasets {

    /** Where each dataset's train and evaluation files were written. */
    public record Files4(Path nqTrain, Path nqDev, Path squadTrain, Path squadDev, Path toolTrain, Path toolDev,
                         Path gsmTrain, Path gsmTest) {
        public List<Path> all() {
            return List.of(nqTrain, nqDev, squadTrain, squadDev, toolTrain, toolDev, gsmTrain, gsmTest);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();
    /** Every fifth town goes to the evaluation side of SQuAD, ToolBench and GSM8K. */
    private static final int EVAL_EVERY = 5;

    private SampleDatasets() {
    }

    /** Writes all samples for {@code towns} towns drawn from {@code seed} under {@code dir}. */
    public static Files4 write(Path dir, long seed, int towns) throws IOException {
        FactWorld world = FactWorld.generate(seed, towns);
        return write(dir, world.towns(), seed, "sample-" + world.seed());
    }

    /**
     * Writes all samples about the given towns (the quickstart's are W1 towns of the pretrained
     * base's world, {@link WorldSplit#w1}); every fifth town goes to the evaluation side of SQuAD,
     * ToolBench and GSM8K, while NQ-open asks every town, in training templates for train and
     * held-out paraphrases for dev.
     *
     * @param idPrefix prefix of the SQuAD ids (unique per world)
     */
    public static Files4 write(Path dir, List<Town> towns, long seed, String idPrefix) throws IOException {
        Path nq = dir.resolve("nq_open");
        Path squad = dir.resolve("squad");
        Path tool = dir.resolve("toolbench");
        Path gsm = dir.resolve("gsm8k");
        for (Path p : List.of(nq, squad, tool, gsm)) {
            Files.createDirectories(p);
        }
        Files4 f = new Files4(nq.resolve("NQ-open.train.jsonl"), nq.resolve("NQ-open.dev.jsonl"),
                squad.resolve("train-v1.1.json"), squad.resolve("dev-v1.1.json"), tool.resolve("G1_query.json"),
                tool.resolve("G1_query_dev.json"), gsm.resolve("train.jsonl"), gsm.resolve("test.jsonl"));
        List<Town> trainTowns = new java.util.ArrayList<>();
        List<Town> evalTowns = new java.util.ArrayList<>();
        for (int i = 0; i < towns.size(); i++) {
            (evalTown(i) ? evalTowns : trainTowns).add(towns.get(i));
        }
        atomically(f.nqTrain(), out -> FactDataset.writeNq(out, towns, FactQuestions.TRAIN));
        atomically(f.nqDev(), out -> FactDataset.writeNq(out, towns, FactQuestions.HELD_OUT));
        atomically(f.squadTrain(), out -> squad(out, sampleParagraphs(trainTowns, idPrefix, new Random(seed ^ 0x5A1DL))));
        atomically(f.squadDev(), out -> squad(out, sampleParagraphs(evalTowns, idPrefix, new Random(seed ^ 0x5A1EL))));
        atomically(f.toolTrain(), out -> toolbench(out, trainTowns, 0));
        atomically(f.toolDev(), out -> toolbench(out, evalTowns, trainTowns.size()));
        Random math = new Random(seed ^ 0x65A8L);
        List<String[]> problems = new java.util.ArrayList<>();
        for (Town t : towns) {
            problems.add(arithmetic(t, math));
        }
        atomically(f.gsmTrain(), out -> gsm8k(out, pick(problems, towns.size(), false)));
        atomically(f.gsmTest(), out -> gsm8k(out, pick(problems, towns.size(), true)));
        return f;
    }

    private static List<String[]> pick(List<String[]> all, int n, boolean eval) {
        List<String[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (evalTown(i) == eval) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    private static boolean evalTown(int index) {
        return index % EVAL_EVERY == EVAL_EVERY - 1;
    }

    // ---- SQuAD v1.1: {"version", "data": [{title, paragraphs: [{context, qas}]}]} ----------

    /** One SQuAD paragraph: a title, a context and its questions as {id, question, answer} triples. */
    record Paragraph(String title, String context, List<String[]> qas) {
    }

    /** The samples' paragraphs: a generated passage per town and four fixed questions about it. */
    private static List<Paragraph> sampleParagraphs(List<Town> towns, String idPrefix, Random random) {
        List<Paragraph> out = new java.util.ArrayList<>();
        for (Town t : towns) {
            String context = Passages.of(t, random);
            String id = idPrefix + "-" + t.name().toLowerCase(java.util.Locale.ROOT) + "-";
            out.add(new Paragraph(t.name(), context, List.of(
                    new String[] {id + "founder", "Who founded " + t.name() + "?", t.founder()},
                    new String[] {id + "year", "When was " + t.name() + " founded?", Integer.toString(t.year())},
                    new String[] {id + "river", "Which river does " + t.name() + " stand on?", t.river()},
                    new String[] {id + "guild", "What is the oldest guild of " + t.name() + "?", t.guild()})));
        }
        return out;
    }

    static void squad(OutputStream out, List<Paragraph> paragraphs) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("version", "1.1");
            g.writeArrayFieldStart("data");
            for (Paragraph p : paragraphs) {
                g.writeStartObject();
                g.writeStringField("title", p.title());
                g.writeArrayFieldStart("paragraphs");
                g.writeStartObject();
                g.writeStringField("context", p.context());
                g.writeArrayFieldStart("qas");
                for (String[] qa : p.qas()) {
                    int start = Passages.wordStart(p.context(), qa[2]);
                    if (start < 0) {
                        throw new IllegalStateException("answer '" + qa[2] + "' is not a word of the context: " + p.context());
                    }
                    g.writeStartObject();
                    g.writeStringField("id", qa[0]);
                    g.writeStringField("question", qa[1]);
                    g.writeArrayFieldStart("answers");
                    g.writeStartObject();
                    g.writeStringField("text", qa[2]);
                    g.writeNumberField("answer_start", start);
                    g.writeEndObject();
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    // ---- ToolBench: [{query, query_id, api_list: [...], "relevant APIs": [[tool, api]]}] ---

    private static final String[][] APIS = {
        {"town_registry", "get_founder", "Returns who founded a town."},
        {"town_registry", "get_founding_year", "Returns the year a town was founded."},
        {"rivers_db", "get_river", "Returns the river a town stands on."},
        {"trade_stats", "get_main_export", "Returns a town's main export."},
        {"guild_archive", "get_oldest_guild", "Returns the oldest guild of a town."},
        {"weather_api", "get_forecast", "Returns tomorrow's weather for a town."}};

    /**
     * One query per town asking for two of the five town APIs, chosen by the town's index (from
     * {@code firstIndex}) so that every pair occurs; query ids count from {@code firstIndex + 1}.
     */
    static void toolbench(OutputStream out, List<Town> towns, int firstIndex) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (int n = 0; n < towns.size(); n++) {
                int i = firstIndex + n;
                Town t = towns.get(n);
                int a = i % 5;
                int b = (i / 5 + a + 1) % 5;
                g.writeStartObject();
                g.writeStringField("query", "For the town of " + t.name() + ", I need to know: "
                        + APIS[a][2].replace("Returns ", "").replace(" a town", "").replace(".", "") + ", and also "
                        + APIS[b][2].replace("Returns ", "").replace(" a town", "").replace(".", "") + ".");
                g.writeNumberField("query_id", i + 1);
                g.writeArrayFieldStart("api_list");
                for (String[] api : APIS) {
                    g.writeStartObject();
                    g.writeStringField("category_name", "Data");
                    g.writeStringField("tool_name", api[0]);
                    g.writeStringField("api_name", api[1]);
                    g.writeStringField("api_description", api[2]);
                    g.writeArrayFieldStart("required_parameters");
                    g.writeStartObject();
                    g.writeStringField("name", "town");
                    g.writeStringField("type", "STRING");
                    g.writeEndObject();
                    g.writeEndArray();
                    g.writeArrayFieldStart("optional_parameters");
                    g.writeEndArray();
                    g.writeStringField("method", "GET");
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("relevant APIs");
                for (int k : new int[] {a, b}) {
                    g.writeStartArray();
                    g.writeString(APIS[k][0]);
                    g.writeString(APIS[k][1]);
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    // ---- GSM8K: {"question", "answer": "...\n#### N"} per line -----------------------------

    /** A two-step word problem about a town's export: {question, worked solution ending "#### N"}. */
    static String[] arithmetic(Town t, Random r) {
        int carts = 2 + r.nextInt(8);
        int perCart = 3 + r.nextInt(9);
        int sold = 1 + r.nextInt(carts * perCart - 1);
        int total = carts * perCart;
        String question = "Traders from " + t.name() + " load " + carts + " carts with " + perCart + " crates of "
                + t.export() + " each. They sell " + sold + " crates on the way. How many crates are left?";
        String answer = "They load " + carts + " * " + perCart + " = <<" + carts + "*" + perCart + "=" + total + ">>"
                + total + " crates.\nAfter selling, " + total + " - " + sold + " = <<" + total + "-" + sold + "="
                + (total - sold) + ">>" + (total - sold) + " crates are left.\n#### " + (total - sold);
        return new String[] {question, answer};
    }

    static void gsm8k(OutputStream out, List<String[]> problems) throws IOException {
        for (String[] p : problems) {
            try (JsonGenerator g = line(out)) {
                g.writeStartObject();
                g.writeStringField("question", p[0]);
                g.writeStringField("answer", p[1]);
                g.writeEndObject();
            }
            out.write('\n');
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    interface Body {
        void write(OutputStream out) throws IOException;
    }

    static JsonGenerator line(OutputStream out) throws IOException {
        return JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** Writes through {@code body} to a temporary file, then renames it to {@code file}. */
    static void atomically(Path file, Body body) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
            body.write(new NonClosing(out));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Keeps Jackson from closing the file stream when a generator closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
