package textnorm

import (
	"net"
	"net/url"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a resource. Keys are matched case-insensitively; entries ending in '_'
// are prefixes.
var trackingParams = []string{
	"utm_", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "igshid", "igsh",
	"mc_cid", "mc_eid", "yclid", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url",
	"s_cid", "si", "feature", "fb_action_ids", "fb_action_types", "fb_ref", "fb_source",
	"action_object_map", "action_type_map", "action_ref_map", "__tn__", "__cft__", "ocid", "cmpid",
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	for _, t := range trackingParams {
		if strings.HasSuffix(t, "_") && strings.HasPrefix(k, t) || k == t {
			return true
		}
	}
	return false
}

// URL returns the canonical form of a URL: scheme and host lower-cased,
// default port and fragment removed, tracking parameters removed (utm_*,
// fbclid, gclid, igshid and others; the rest keep their order), an empty
// path written as "/". It returns ok=false for an empty value or anything
// that is not an absolute http(s) URL; a value without a scheme but with a
// host-like start ("example.com/x", "www.x.org") is taken as http.
func URL(raw string) (canonical string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false
	}
	if !strings.Contains(raw, "://") {
		if strings.HasPrefix(raw, "//") {
			raw = "http:" + raw
		} else {
			host := raw
			if i := strings.IndexAny(raw, "/?#"); i >= 0 {
				host = raw[:i]
			}
			if !strings.Contains(host, ".") || strings.ContainsAny(host, " \t") {
				return "", false
			}
			raw = "http://" + raw
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", false
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		kept := parts[:0]
		for _, p := range parts {
			if p == "" {
				continue
			}
			key := p
			if i := strings.IndexByte(p, '='); i >= 0 {
				key = p[:i]
			}
			if k, err := url.QueryUnescape(key); err == nil {
				key = k
			}
			if isTracking(key) {
				continue
			}
			kept = append(kept, p)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u.String(), true
}

// Domain returns the host of a canonical URL without a leading "www.", or
// "" when there is none.
func Domain(canonical string) string {
	u, err := url.Parse(canonical)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}
