package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.HostPort;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Answers only requests that name this server in their {@code Host}, against DNS rebinding: a page
 * of another site whose name is made to point at 127.0.0.1 reaches the server with that name in
 * {@code Host}, and is refused (421). Bound to a loopback address, the server answers to localhost,
 * 127.0.0.1 and [::1]; opened to the network ({@code --host}), also to any IP address (a rebinding
 * page always sends a name of its own, never an address) and to this machine's names. The port is
 * not checked: an SSH tunnel ({@code ssh -L 9000:127.0.0.1:8080}) changes it, and a rebinding page
 * can use any port it likes.
 */
final class HostCheck extends Handler.Wrapper {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> names = new TreeSet<>();
    private final boolean anyAddress;
    /** The host a refused request is told to open: the one bound, or 127.0.0.1 for every address. */
    private final String shown;

    /**
     * @param bound the address listened on
     * @param extra other names to answer to (a proxy's, an alias)
     */
    HostCheck(String bound, List<String> extra, Handler handler) {
        super(handler);
        names.addAll(Set.of("localhost", "127.0.0.1", "[::1]"));
        extra.forEach(n -> names.add(normalise(n)));
        this.anyAddress = !ExplorerServer.isLoopback(bound);
        // the name or address bound, and what it resolves to: a loopback such as 127.0.1.1 or this machine's name too
        boolean wildcard = bound.equals("0.0.0.0") || bound.equals("::");
        if (!wildcard) {
            names.add(normalise(bound));
            try {
                for (InetAddress a : InetAddress.getAllByName(bound)) {
                    names.add(normalise(a.getHostAddress()));
                }
            } catch (UnknownHostException e) {
                // bound, so it resolved; nothing more to add
            }
        }
        this.shown = wildcard ? "127.0.0.1" : normalise(bound);
        if (anyAddress) {
            try {
                InetAddress self = InetAddress.getLocalHost();
                names.add(normalise(self.getHostName()));
                names.add(normalise(self.getCanonicalHostName()));
            } catch (UnknownHostException e) {
                // this machine has no name to answer to: addresses still work
            }
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (accepts(host)) {
            return super.handle(request, response, callback);
        }
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        return Replies.error(response, callback, HttpStatus.MISDIRECTED_REQUEST_421, "This explorer answers only to "
                + (anyAddress ? "its IP addresses and " : "") + String.join(", ", names) + ", not to "
                + (host == null ? "a request without a Host header" : "'" + host + "'") + ": open it as http://" + shown + ":"
                + Request.getLocalPort(request) + "/ on this machine. A page of another site must not reach it (DNS"
                + " rebinding); to use another name, see docs/explorer.md");
    }

    boolean accepts(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host;
        try {
            host = normalise(new HostPort(hostHeader).getHost());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return names.contains(host) || anyAddress && (IPV4.matcher(host).matches() || host.startsWith("["));
    }

    /** Lower case, IPv6 in brackets, without a final dot ({@code localhost.} is {@code localhost}). */
    private static String normalise(String name) {
        String n = HostPort.normalizeHost(name.strip().toLowerCase(Locale.ROOT));
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
