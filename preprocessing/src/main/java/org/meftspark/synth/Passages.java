package org.meftspark.synth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meftspark.synth.FactWorld.Attribute;
import org.meftspark.synth.FactWorld.Town;

/**
 * Declarative passages about a town: one sentence per attribute, each from one of several
 * templates, in a random order (issue 15 item 2). Varying the wording and the order is what
 * lets a small model store a fact so that any question can reach it (knowledge augmentation,
 * Allen-Zhu and Li, "Physics of Language Models 3.1"): a model that saw each fact in one fixed
 * sentence only learns to continue that sentence.
 */
public final class Passages {

    /** Sentence templates per attribute; {@code {town}} and {@code {value}} are filled in. */
    static final Map<Attribute, List<String>> SENTENCES = Map.of(
            Attribute.FOUNDER, List.of("{town} was founded by {value}.", "{value} founded the town of {town}.",
                    "The founder of {town} was {value}."),
            Attribute.YEAR, List.of("{town} was founded in {value}.", "The town of {town} dates from {value}.",
                    "{town} has stood since {value}."),
            Attribute.RIVER, List.of("{town} stands on the river {value}.", "The river {value} flows through {town}.",
                    "{town} lies on the banks of the {value}."),
            Attribute.EXPORT, List.of("{town} exports {value}.", "The main export of {town} is {value}.",
                    "Traders of {town} sell {value} abroad."),
            Attribute.GUILD, List.of("The oldest guild of {town} is the {value} guild.",
                    "In {town}, the {value} guild is the oldest.", "The first guild of {town} was the {value} guild."));

    private Passages() {
    }

    /** One passage: every attribute of the town once, templates and order drawn from {@code random}. */
    public static String of(Town town, Random random) {
        List<Attribute> order = new ArrayList<>(List.of(Attribute.values()));
        Collections.shuffle(order, random);
        StringBuilder sb = new StringBuilder();
        for (Attribute a : order) {
            List<String> t = SENTENCES.get(a);
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t.get(random.nextInt(t.size())).replace("{town}", town.name()).replace("{value}", town.value(a)));
        }
        return sb.toString();
    }

    /**
     * Where {@code answer} starts in {@code context} as a whole word (an export such as "tin"
     * must not match inside another word), or -1.
     */
    public static int wordStart(String context, String answer) {
        Matcher m = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(answer) + "(?![\\p{L}\\p{N}])").matcher(context);
        return m.find() ? m.start() : -1;
    }
}
