package org.meftspark.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A notebook file (nbformat 4) as the tests see it: its code cells, what they printed, their errors
 * and their figures (image/png outputs).
 */
final class ExecutedNotebook {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A PNG output of code cell {@code cell} (index among all cells). */
    record Figure(int cell, byte[] png) {
    }

    private final Path file;
    private final JsonNode root;

    private ExecutedNotebook(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static ExecutedNotebook read(Path file) throws IOException {
        return new ExecutedNotebook(file, JSON.readTree(file.toFile()));
    }

    JsonNode root() {
        return root;
    }

    List<JsonNode> cells() {
        List<JsonNode> out = new ArrayList<>();
        root.path("cells").forEach(out::add);
        return out;
    }

    /** A cell's source as one string (nbformat stores a string or a list of lines). */
    static String text(JsonNode multiline) {
        if (multiline.isArray()) {
            StringBuilder s = new StringBuilder();
            multiline.forEach(l -> s.append(l.asText()));
            return s.toString();
        }
        return multiline.asText();
    }

    /** Every error output, with its cell's number and first source line and the traceback without colour codes. */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        List<JsonNode> cells = cells();
        for (int i = 0; i < cells.size(); i++) {
            for (JsonNode o : cells.get(i).path("outputs")) {
                if (o.path("output_type").asText().equals("error")) {
                    String source = text(cells.get(i).path("source")).strip();
                    out.add(file.getFileName() + " cell " + i + " (" + source.lines().findFirst().orElse("") + "): "
                            + o.path("ename").asText() + ": " + o.path("evalue").asText() + "\n"
                            + stripAnsi(text(o.path("traceback"))));
                }
            }
        }
        return out;
    }

    /** Code cells that carry no execution count: the kernel never ran them. */
    List<Integer> unexecutedCodeCells() {
        List<Integer> out = new ArrayList<>();
        List<JsonNode> cells = cells();
        for (int i = 0; i < cells.size(); i++) {
            JsonNode c = cells.get(i);
            if (c.path("cell_type").asText().equals("code") && !c.path("execution_count").isInt()) {
                out.add(i);
            }
        }
        return out;
    }

    List<Figure> figures() {
        List<Figure> out = new ArrayList<>();
        List<JsonNode> cells = cells();
        for (int i = 0; i < cells.size(); i++) {
            for (JsonNode o : cells.get(i).path("outputs")) {
                JsonNode png = o.path("data").path("image/png");
                if (!png.isMissingNode()) {
                    out.add(new Figure(i, Base64.getMimeDecoder().decode(text(png))));
                }
            }
        }
        return out;
    }

    /**
     * Why a figure is not a real chart, or null when it is: it must decode as an image of at least
     * 200 x 100 pixels of which at least 2% differ from the most common colour (the background). The
     * charts drawn here have 5-13%.
     */
    static String problem(Figure f) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(f.png()));
        } catch (IOException e) {
            return "cell " + f.cell() + ": not a readable PNG (" + e.getMessage() + ")";
        }
        if (img == null) {
            return "cell " + f.cell() + ": not a readable PNG (" + f.png().length + " bytes)";
        }
        if (img.getWidth() < 200 || img.getHeight() < 100) {
            return "cell " + f.cell() + ": only " + img.getWidth() + "x" + img.getHeight() + " pixels";
        }
        Map<Integer, Integer> colours = new HashMap<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.merge(img.getRGB(x, y), 1, Integer::sum);
            }
        }
        int background = colours.values().stream().max(Integer::compare).orElse(0);
        double drawn = 1 - background / (double) (img.getWidth() * img.getHeight());
        if (drawn < 0.02) {
            return String.format(java.util.Locale.ROOT, "cell %d: %.2f%% of the pixels differ from the background (%d colours)",
                    f.cell(), 100 * drawn, colours.size());
        }
        return null;
    }

    private static String stripAnsi(String s) {
        return s.replaceAll("\u001B\\[[0-9;]*m", "");
    }
}
