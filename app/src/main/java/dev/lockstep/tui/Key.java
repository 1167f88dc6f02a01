package dev.lockstep.tui;

/** A key as {@link TuiUpdate} reads it: the terminal library's keystroke, reduced to what the screen's keys need. */
record Key(Type type, char character, boolean ctrl) {
    enum Type { CHARACTER, ENTER, TAB, ESCAPE, BACKSPACE, UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END, EOF, OTHER }

    static Key of(char c) {
        return new Key(Type.CHARACTER, c, false);
    }

    static Key ctrl(char c) {
        return new Key(Type.CHARACTER, c, true);
    }

    static Key of(Type type) {
        return new Key(type, (char) 0, false);
    }

    boolean is(char c) {
        return type == Type.CHARACTER && character == c;
    }

    /** The character typed, or 0 for any other key. */
    char typed() {
        return type == Type.CHARACTER ? character : 0;
    }
}
