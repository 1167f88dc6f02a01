package dev.lockstep.spi;

/** One thing wrong with a runbook: where, and what was expected there. */
public record Problem(Position position, String message) {
    /**
     * One line per problem, whatever the runbook held: line breaks and control characters
     * quoted from it are shown escaped, so they cannot split the report or drive the terminal.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(position + ": ");
        message.codePoints().forEach(c -> {
            if (c == '\n') out.append("\\n");
            else if (c == '\r') out.append("\\r");
            else if (c != '\t' && (Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) out.append(String.format("\\u%04X", c));
            else out.appendCodePoint(c);
        });
        return out.toString();
    }
}
