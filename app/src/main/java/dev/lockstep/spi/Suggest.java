package dev.lockstep.spi;

import java.util.Collection;

/** The nearest of the names something could have been, for "did you mean …?" after a typo. */
public final class Suggest {
    private Suggest() {}

    /** " (did you mean NAME?)" for the closest candidate within a typo's reach, else "". */
    public static String didYouMean(String word, Collection<String> candidates) {
        String best = nearest(word, candidates);
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    /** The closest candidate, when it is a plausible typo of {@code word} (or starts with it); else null. */
    public static String nearest(String word, Collection<String> candidates) {
        if (word == null || word.isEmpty()) return null;
        String lower = word.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(lower, c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best == null) return null;
        int reach = word.length() <= 4 ? 1 : word.length() <= 8 ? 2 : 3;
        if (bestDistance <= reach) return best;
        for (String c : candidates) if (word.length() >= 3 && c.startsWith(word)) return c;
        return null;
    }

    /** Edits (insert, delete, replace, swap two neighbours) from a to b; work bounded by short names. */
    static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) return Integer.MAX_VALUE;
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
