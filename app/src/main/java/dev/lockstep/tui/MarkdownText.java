package dev.lockstep.tui;

import java.util.ArrayList;
import java.util.List;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * A runbook's Markdown description as lines of plain text for a terminal of a given width:
 * paragraphs wrapped, bullets and numbers kept, code shown exactly as written (a {@code *}
 * inside {@code `code`} stays), links with their address, headings on lines of their own.
 */
final class MarkdownText {
    private static final Parser PARSER = Parser.builder().build();

    private MarkdownText() {}

    static List<String> lines(String markdown, int columns) {
        List<String> out = new ArrayList<>();
        if (markdown == null || markdown.isBlank()) return out;
        blocks(PARSER.parse(markdown), "", "", columns, out);
        while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) out.remove(out.size() - 1);
        return out;
    }

    /** Each block child of {@code parent}: the first line starts with {@code first}, the others with {@code rest}. */
    private static void blocks(Node parent, String first, String rest, int columns, List<String> out) {
        String prefix = first;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
            block(n, prefix, rest, columns, out);
            prefix = rest;
        }
    }

    private static void block(Node n, String first, String rest, int columns, List<String> out) {
        if (n instanceof Paragraph || n instanceof Heading) {
            for (String para : inline(n).split("\n")) {
                List<String> wrapped = Text.wrap(para, Math.max(10, columns - Text.width(first)), "");
                for (int i = 0; i < wrapped.size(); i++) out.add((i == 0 ? first : rest) + wrapped.get(i));
                first = rest;
            }
            if (!(n.getParent() instanceof ListItem)) out.add("");
        } else if (n instanceof BulletList || n instanceof OrderedList) {
            int number = n instanceof OrderedList o && o.getMarkerStartNumber() != null ? o.getMarkerStartNumber() : 1;
            String prefix = first;
            for (Node item = n.getFirstChild(); item != null; item = item.getNext()) {
                String marker = n instanceof BulletList ? "• " : number++ + ". ";
                blocks(item, prefix + marker, rest + " ".repeat(marker.length()), columns, out);
                prefix = rest;
            }
            if (!(n.getParent() instanceof ListItem)) out.add("");
        } else if (n instanceof FencedCodeBlock code) {
            code(code.getLiteral(), first, rest, out);
        } else if (n instanceof IndentedCodeBlock code) {
            code(code.getLiteral(), first, rest, out);
        } else if (n instanceof HtmlBlock html) {
            code(html.getLiteral(), first, rest, out);
        } else if (n instanceof BlockQuote) {
            blocks(n, first + "│ ", rest + "│ ", columns, out);
        } else if (n instanceof ThematicBreak) {
            out.add(first + "─".repeat(Math.max(3, Math.min(40, columns - Text.width(first)))));
            out.add("");
        } else {
            blocks(n, first, rest, columns, out);
        }
    }

    /** Code exactly as written, indented, never wrapped (the screen cuts what does not fit). */
    private static void code(String literal, String first, String rest, List<String> out) {
        String prefix = first;
        for (String l : literal.stripTrailing().split("\n", -1)) {
            out.add(prefix + "  " + l);
            prefix = rest;
        }
        out.add("");
    }

    /** The text of a paragraph or heading: marks dropped, code spans as written, links with their address. */
    private static String inline(Node block) {
        StringBuilder b = new StringBuilder();
        block.accept(new AbstractVisitor() {
            @Override
            public void visit(org.commonmark.node.Text text) {
                b.append(text.getLiteral());
            }

            @Override
            public void visit(Code code) {
                b.append(code.getLiteral());
            }

            @Override
            public void visit(SoftLineBreak br) {
                b.append(' ');
            }

            @Override
            public void visit(HardLineBreak br) {
                b.append('\n');
            }

            @Override
            public void visit(HtmlInline html) {
                b.append(html.getLiteral());
            }

            @Override
            public void visit(Link link) {
                int start = b.length();
                visitChildren(link);
                String shown = b.substring(start);
                if (!shown.equals(link.getDestination()) && !link.getDestination().isEmpty()) {
                    b.append(" (").append(link.getDestination()).append(')');
                }
            }
        });
        return b.toString();
    }
}
