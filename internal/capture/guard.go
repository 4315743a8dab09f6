package capture

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// PublicOnly is a Guard (a net.Dialer Control) that refuses every address
// that is not public: loopback, private (RFC 1918, RFC 4193), link-local,
// multicast, unspecified and shared (carrier-grade NAT, RFC 6598) ones.
func PublicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("capture: %s is not an IP address", host)
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() || shared.Contains(ip) {
		return fmt.Errorf("capture: %s is not a public address: refused", ip)
	}
	return nil
}

var _, shared, _ = net.ParseCIDR("100.64.0.0/10")

// guardProxy is an HTTP proxy on loopback for the browser of one
// capture: it connects only where its dialer's guard lets it (CONNECT
// tunnels for https, forwarded requests for http).
type guardProxy struct {
	ln  net.Listener
	srv *http.Server
}

func startGuardProxy(d *net.Dialer) (*guardProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("capture: proxy: %w", err)
	}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, ResponseHeaderTimeout: 30 * time.Second}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			up, err := d.DialContext(r.Context(), "tcp", r.Host)
			if err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			hj, ok := w.(http.Hijacker)
			if !ok {
				up.Close()
				http.Error(w, "no tunnel", http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusOK)
			down, buf, err := hj.Hijack()
			if err != nil {
				up.Close()
				return
			}
			if n := buf.Reader.Buffered(); n > 0 {
				b, _ := buf.Reader.Peek(n)
				up.Write(b)
			}
			go func() { io.Copy(up, down); up.Close() }()
			io.Copy(down, up)
			down.Close()
			return
		}
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		out := r.Clone(context.Background())
		out.RequestURI = ""
		out.Header.Del("Proxy-Connection")
		res, err := tr.RoundTrip(out.WithContext(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, vs := range res.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
	})
	p := &guardProxy{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *guardProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *guardProxy) Close() error { return p.srv.Close() }
