package dev.lockstep.steps.db;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top-level assignments of a Python module whose values are literals, read with Python's
 * own lexical rules (strings with prefixes and triple quotes, comments, brackets that join
 * lines, backslash continuations, {@code ;}) instead of patterns over lines, so a comment, an
 * annotation or a formatter's line breaks cannot change what is read. The module is never run.
 * Only the literals an Alembic revision file declares are understood: a string (adjacent strings
 * joined), {@code None}, or a tuple or list of strings; any other value is {@link Literal#UNREADABLE}.
 */
final class PythonModule {
    /** A value as read: a string, None, a sequence of strings, or something only running the module could tell. */
    record Literal(Kind kind, List<String> strings, int line) {
        enum Kind { STRING, NONE, SEQUENCE, UNREADABLE }

        static final Literal UNREADABLE = new Literal(Kind.UNREADABLE, List.of(), 0);
    }

    private enum TokenKind { NAME, STRING, OTHER_STRING, NUMBER, OP }

    private record Token(TokenKind kind, String text, int line) {
        boolean is(String op) {
            return kind == TokenKind.OP && text.equals(op);
        }
    }

    /** Operators of more than one character: longest first, so that {@code ==} is never read as {@code =}. */
    private static final List<String> OPERATORS = List.of("**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=",
            "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "**", "//", "<<", ">>");

    private PythonModule() {}

    /** Every name assigned at the top level of the module, with the last value assigned to it (as Python keeps it). */
    static Map<String, Literal> assignments(String source) {
        Map<String, Literal> out = new LinkedHashMap<>();
        for (List<Token> statement : topLevelStatements(source)) {
            if (statement.size() < 3 || statement.get(0).kind() != TokenKind.NAME) continue;
            int equals = topLevelEquals(statement);
            if (equals < 0) continue;
            boolean annotated = statement.get(1).is(":");
            if (!annotated && equals != 1) continue;
            out.put(statement.get(0).text(), literal(statement.subList(equals + 1, statement.size()), statement.get(0).line()));
        }
        return out;
    }

    private static int topLevelEquals(List<Token> statement) {
        int depth = 0;
        for (int i = 1; i < statement.size(); i++) {
            Token t = statement.get(i);
            if (t.is("(") || t.is("[") || t.is("{")) depth++;
            else if (t.is(")") || t.is("]") || t.is("}")) depth--;
            else if (depth == 0 && t.is("=")) return i;
        }
        return -1;
    }

    private static Literal literal(List<Token> value, int line) {
        if (value.size() == 1 && value.get(0).kind() == TokenKind.NAME && value.get(0).text().equals("None")) {
            return new Literal(Literal.Kind.NONE, List.of(), line);
        }
        boolean bracketed = !value.isEmpty() && (value.get(0).is("(") || value.get(0).is("["))
                && value.get(value.size() - 1).is(value.get(0).is("(") ? ")" : "]");
        List<Token> items = bracketed ? value.subList(1, value.size() - 1) : value;
        List<String> strings = new ArrayList<>();
        StringBuilder current = null;
        boolean sawComma = false;
        for (Token t : items) {
            if (t.kind() == TokenKind.STRING) {
                if (current == null) current = new StringBuilder();
                current.append(t.text());
            } else if (t.is(",") && current != null) {
                strings.add(current.toString());
                current = null;
                sawComma = true;
            } else {
                return new Literal(Literal.Kind.UNREADABLE, List.of(), line);
            }
        }
        if (current != null) strings.add(current.toString());
        boolean sequence = sawComma || (bracketed && value.get(0).is("[")) || (bracketed && strings.isEmpty());
        if (sequence) return new Literal(Literal.Kind.SEQUENCE, List.copyOf(strings), line);
        if (strings.size() == 1) return new Literal(Literal.Kind.STRING, List.copyOf(strings), line);
        return new Literal(Literal.Kind.UNREADABLE, List.of(), line);
    }

    /** The module's logical lines that start at column 0, split at {@code ;}, as tokens. */
    private static List<List<Token>> topLevelStatements(String s) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        boolean lineIndented = false;
        boolean atLineStart = true;
        int depth = 0;
        int line = 1;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (atLineStart) {
                int j = i;
                while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t' || s.charAt(j) == '\f')) j++;
                lineIndented = j > i;
                atLineStart = false;
                i = j;
                continue;
            }
            if (c == '\n') {
                line++;
                i++;
                if (depth == 0) {
                    if (!lineIndented && !current.isEmpty()) statements.add(current);
                    current = new ArrayList<>();
                    atLineStart = true;
                }
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
                i++;
                continue;
            }
            if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '\n' || s.charAt(i + 1) == '\r')) {
                i += s.charAt(i + 1) == '\r' && i + 2 < s.length() && s.charAt(i + 2) == '\n' ? 3 : 2;
                line++;
                continue;
            }
            int prefixEnd = i;
            while (prefixEnd < s.length() && prefixEnd - i < 2 && "rRbBuUfF".indexOf(s.charAt(prefixEnd)) >= 0) prefixEnd++;
            if (prefixEnd < s.length() && (s.charAt(prefixEnd) == '\'' || s.charAt(prefixEnd) == '"')) {
                String prefix = s.substring(i, prefixEnd).toLowerCase();
                int start = line;
                StringBuilder text = new StringBuilder();
                i = string(s, prefixEnd, prefix.contains("r"), text);
                for (int k = prefixEnd; k < i; k++) if (s.charAt(k) == '\n') line++;
                boolean plain = !prefix.contains("b") && !prefix.contains("f");
                current.add(new Token(plain ? TokenKind.STRING : TokenKind.OTHER_STRING, text.toString(), start));
                continue;
            }
            if (Character.isLetter(c) || c == '_' || c > 127) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) > 127)) j++;
                current.add(new Token(TokenKind.NAME, s.substring(i, j), line));
                i = j;
                continue;
            }
            if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.' || s.charAt(j) == '_')) j++;
                current.add(new Token(TokenKind.NUMBER, s.substring(i, j), line));
                i = j;
                continue;
            }
            String op = String.valueOf(c);
            for (String candidate : OPERATORS) {
                if (s.startsWith(candidate, i)) {
                    op = candidate;
                    break;
                }
            }
            if (op.equals("(") || op.equals("[") || op.equals("{")) depth++;
            if ((op.equals(")") || op.equals("]") || op.equals("}")) && depth > 0) depth--;
            if (op.equals(";") && depth == 0) {
                if (!lineIndented && !current.isEmpty()) statements.add(current);
                current = new ArrayList<>();
            } else {
                current.add(new Token(TokenKind.OP, op, line));
            }
            i += op.length();
        }
        if (!lineIndented && !current.isEmpty()) statements.add(current);
        return statements;
    }

    /** Reads the string literal whose opening quote is at {@code open} into {@code text}; returns the index after it. */
    private static int string(String s, int open, boolean raw, StringBuilder text) {
        char quote = s.charAt(open);
        boolean triple = s.startsWith(String.valueOf(quote).repeat(3), open);
        int i = open + (triple ? 3 : 1);
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                if (raw) {
                    text.append(c).append(next);
                } else if (next != '\n') {
                    // a backslash before a newline joins the lines; an escape Python does not know keeps its backslash
                    switch (next) {
                        case 'n' -> text.append('\n');
                        case 't' -> text.append('\t');
                        case 'r' -> text.append('\r');
                        case '\\', '\'', '"' -> text.append(next);
                        default -> text.append(c).append(next);
                    }
                }
                i += 2;
                continue;
            }
            if (triple ? s.startsWith(String.valueOf(quote).repeat(3), i) : c == quote) return i + (triple ? 3 : 1);
            if (!triple && c == '\n') return i;
            text.append(c);
            i++;
        }
        return i;
    }
}
