package org.meftspark.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A fictional world for knowledge-intensive fine-tuning (issue 8): towns, each with
 * the same attributes, every name and value drawn from a seed so that no pretrained
 * model can know a single fact beforehand. Each (town, attribute) has exactly one
 * answer, and no two towns share a name.
 *
 * @param seed  the seed everything was drawn from
 * @param towns the entities, in generation order
 */
public record FactWorld(long seed, List<Town> towns) {

    /** The attributes every town has; each has its own question templates. */
    public enum Attribute { FOUNDER, YEAR, RIVER, EXPORT, GUILD }

    /**
     * One entity and its attribute values.
     *
     * @param name    the town's unique name
     * @param founder a person's full name
     * @param year    founding year, 1000..1899
     * @param river   the river the town stands on
     * @param export  what the town is known for exporting
     * @param guild   the name of its oldest guild
     */
    public record Town(String name, String founder, int year, String river, String export, String guild) {

        public String value(Attribute a) {
            return switch (a) {
                case FOUNDER -> founder;
                case YEAR -> Integer.toString(year);
                case RIVER -> river;
                case EXPORT -> export;
                case GUILD -> guild;
            };
        }
    }

    private static final String[] GOODS = {"copper", "wool", "salt", "amber", "glass", "timber", "honey", "silk",
        "tin", "marble", "pepper", "linen", "cider", "indigo", "pearls", "saffron"};

    /** Draws {@code towns} towns from {@code seed}; the same arguments always give the same world. */
    public static FactWorld generate(long seed, int towns) {
        if (towns < 1) {
            throw new IllegalArgumentException("a world needs at least one town, got " + towns);
        }
        Random random = new Random(seed);
        Names names = new Names(random);
        List<Town> out = new ArrayList<>(towns);
        for (int i = 0; i < towns; i++) {
            out.add(new Town(names.next(2, 3), names.next(1, 2) + " " + names.next(2, 3), 1000 + random.nextInt(900),
                    names.next(1, 2), GOODS[random.nextInt(GOODS.length)], names.next(2, 3)));
        }
        return new FactWorld(seed, List.copyOf(out));
    }

    /** Facts in the world: towns x attributes. */
    public int facts() {
        return towns.size() * Attribute.values().length;
    }
}
