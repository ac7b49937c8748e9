package org.meftspark.synth;

import java.util.List;
import java.util.Map;
import org.meftspark.synth.FactWorld.Attribute;

/**
 * Question templates per attribute, in three disjoint groups (issue 8; issue 15 item 5):
 * {@link #TRAIN} for fine-tuning, {@link #VALIDATION} for choosing a learning rate, and
 * {@link #HELD_OUT} for the test (the same facts asked in words never seen in fine-tuning).
 * The pretraining corpus asks the facts of its own world in every template of every group
 * ({@link WorldCorpus}), so the base learns that paraphrases ask the same thing; the
 * fine-tuning world W1 is asked in the training templates only. {@code {town}} is replaced
 * by the town's name.
 */
public final class FactQuestions {

    private FactQuestions() {
    }

    /** Training templates. */
    public static final Map<Attribute, List<String>> TRAIN = Map.of(
            Attribute.FOUNDER, List.of("who founded {town}?", "{town} was founded by whom?", "name the founder of {town}"),
            Attribute.YEAR, List.of("in what year was {town} founded?", "when was {town} founded?",
                    "{town} was founded in which year?"),
            Attribute.RIVER, List.of("which river does {town} stand on?", "on what river is {town}?",
                    "name the river of {town}"),
            Attribute.EXPORT, List.of("what does {town} export?", "what is the main export of {town}?",
                    "{town} is known for exporting what?"),
            Attribute.GUILD, List.of("what is the oldest guild of {town}?", "name the oldest guild in {town}",
                    "which guild is the oldest in {town}?"));

    /** Held-out paraphrases: never used for training. */
    public static final Map<Attribute, List<String>> HELD_OUT = Map.of(
            Attribute.FOUNDER, List.of("which person established the town of {town}?",
                    "who is credited with starting {town}?"),
            Attribute.YEAR, List.of("how old is {town}: in which year did it begin?",
                    "the town of {town} dates from what year?"),
            Attribute.RIVER, List.of("{town} lies on the banks of which river?",
                    "what river flows through {town}?"),
            Attribute.EXPORT, List.of("which goods does {town} sell abroad?",
                    "traders from {town} are famous for which product?"),
            Attribute.GUILD, List.of("the most ancient guild of {town} is called what?",
                    "which guild of {town} was formed first?"));

    /**
     * Validation paraphrases: never used for fine-tuning and never for the test; the study picks
     * every method's learning rate on them.
     */
    public static final Map<Attribute, List<String>> VALIDATION = Map.of(
            Attribute.FOUNDER, List.of("whose work was the founding of {town}?"),
            Attribute.YEAR, List.of("{town} has existed since which year?"),
            Attribute.RIVER, List.of("which river runs past {town}?"),
            Attribute.EXPORT, List.of("merchants of {town} mostly ship which product?"),
            Attribute.GUILD, List.of("which guild of {town} is older than all the others?"));

    /** Every template of an attribute: training, then validation, then held-out. */
    public static List<String> all(Attribute a) {
        List<String> out = new java.util.ArrayList<>(TRAIN.get(a));
        out.addAll(VALIDATION.get(a));
        out.addAll(HELD_OUT.get(a));
        return List.copyOf(out);
    }

    /** Fills a template for one town. */
    public static String render(String template, FactWorld.Town town) {
        return template.replace("{town}", town.name());
    }
}
