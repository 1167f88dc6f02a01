package dev.lockstep.engine;

/** Words of the commands lockstep suggests, written so that a shell reads them back as they are: a hint works as printed. */
public final class ShellWords {
    private ShellWords() {}

    /** {@code word} quoted only when it has to be. */
    public static String quote(String word) {
        return word.matches("[A-Za-z0-9_./+:@%=,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
