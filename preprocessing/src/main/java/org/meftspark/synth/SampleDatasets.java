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
import org.meftspark.synth.FactWorld.Attribute;
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
        atomically(f.nqTrain(), out -> FactDataset.writeNq(out, world, true));
        atomically(f.nqDev(), out -> FactDataset.writeNq(out, world, false));
        atomically(f.squadTrain(), out -> squad(out, world, false));
        atomically(f.squadDev(), out -> squad(out, world, true));
        atomically(f.toolTrain(), out -> toolbench(out, world, false));
        atomically(f.toolDev(), out -> toolbench(out, world, true));
        atomically(f.gsmTrain(), out -> gsm8k(out, world, seed, false));
        atomically(f.gsmTest(), out -> gsm8k(out, world, seed, true));
        return f;
    }

    private static boolean evalTown(int index) {
        return index % EVAL_EVERY == EVAL_EVERY - 1;
    }

    // ---- SQuAD v1.1: {"version", "data": [{title, paragraphs: [{context, qas}]}]} ----------

    private static void squad(OutputStream out, FactWorld world, boolean eval) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("version", "1.1");
            g.writeArrayFieldStart("data");
            for (int i = 0; i < world.towns().size(); i++) {
                if (evalTown(i) != eval) {
                    continue;
                }
                Town t = world.towns().get(i);
                String context = t.name() + " was founded in " + t.year() + " by " + t.founder() + ". The town stands on the river "
                        + t.river() + " and exports " + t.export() + ". Its oldest guild is the " + t.guild() + " guild.";
                g.writeStartObject();
                g.writeStringField("title", t.name());
                g.writeArrayFieldStart("paragraphs");
                g.writeStartObject();
                g.writeStringField("context", context);
                g.writeArrayFieldStart("qas");
                String[][] qas = {
                    {"founder", "Who founded " + t.name() + "?", t.founder()},
                    {"year", "When was " + t.name() + " founded?", Integer.toString(t.year())},
                    {"river", "Which river does " + t.name() + " stand on?", t.river()},
                    {"guild", "What is the oldest guild of " + t.name() + "?", t.guild()}};
                for (String[] qa : qas) {
                    g.writeStartObject();
                    g.writeStringField("id", "sample-" + world.seed() + "-" + i + "-" + qa[0]);
                    g.writeStringField("question", qa[1]);
                    g.writeArrayFieldStart("answers");
                    g.writeStartObject();
                    g.writeStringField("text", qa[2]);
                    g.writeNumberField("answer_start", context.indexOf(qa[2]));
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

    private static void toolbench(OutputStream out, FactWorld world, boolean eval) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (int i = 0; i < world.towns().size(); i++) {
                if (evalTown(i) != eval) {
                    continue;
                }
                Town t = world.towns().get(i);
                // Two relevant APIs per query, chosen by the town's index so every pair occurs.
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

    private static void gsm8k(OutputStream out, FactWorld world, long seed, boolean test) throws IOException {
        Random r = new Random(seed ^ 0x65A8L);
        for (int i = 0; i < world.towns().size(); i++) {
            int carts = 2 + r.nextInt(8);
            int perCart = 3 + r.nextInt(9);
            int sold = 1 + r.nextInt(carts * perCart - 1);
            if (evalTown(i) != test) {
                continue;
            }
            Town t = world.towns().get(i);
            int total = carts * perCart;
            String question = "Traders from " + t.name() + " load " + carts + " carts with " + perCart + " crates of "
                    + t.export() + " each. They sell " + sold + " crates on the way. How many crates are left?";
            String answer = "They load " + carts + " * " + perCart + " = <<" + carts + "*" + perCart + "=" + total + ">>"
                    + total + " crates.\nAfter selling, " + total + " - " + sold + " = <<" + total + "-" + sold + "="
                    + (total - sold) + ">>" + (total - sold) + " crates are left.\n#### " + (total - sold);
            try (JsonGenerator g = line(out)) {
                g.writeStartObject();
                g.writeStringField("question", question);
                g.writeStringField("answer", answer);
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
