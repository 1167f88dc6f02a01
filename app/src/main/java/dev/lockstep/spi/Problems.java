package dev.lockstep.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem found, so that one validation reports them all, in file order. */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void add(Position at, String message) {
        list.add(new Problem(at, message));
    }

    public int count() {
        return list.size();
    }

    public List<Problem> sorted() {
        return list.stream()
                .sorted(Comparator.comparing((Problem p) -> p.position().file())
                        .thenComparingInt(p -> p.position().line())
                        .thenComparingInt(p -> p.position().column()))
                .distinct()
                .toList();
    }

    /** Throws {@link InvalidRunbookException} if anything was found. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new InvalidRunbookException(sorted());
        }
    }
}
