package io.resh.gateway.ordered;

import io.resh.gateway.GatewayConfig.Canonicalization;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a reply into the form that is compared: first the protocol's own rules, then the configured
 * regular expressions. Replies are matched as ISO-8859-1 text, one char per byte, so binary replies
 * survive the round trip unchanged outside the matches.
 */
public final class Canonicalizer {
    private final Protocol protocol;
    private final List<Canonicalization> rules;

    public Canonicalizer(Protocol protocol, List<Canonicalization> rules) {
        this.protocol = protocol;
        this.rules = List.copyOf(rules);
    }

    /** True if replies to {@code request} are compared as they are: no rule of the protocol or the config changes them. */
    public boolean verbatim(Request request) {
        return rules.isEmpty() && protocol.verbatim(request);
    }

    public byte[] apply(Request request, byte[] reply) {
        byte[] out = protocol.canonicalize(request, reply);
        if (rules.isEmpty()) {
            return out;
        }
        String text = new String(out, StandardCharsets.ISO_8859_1);
        for (Canonicalization rule : rules) {
            text = rule.regex().matcher(text).replaceAll(rule.replace());
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
