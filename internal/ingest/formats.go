package ingest

import (
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/crowdtangle"
	"github.com/tahqiq/tahqiq/internal/ingest/events"
	"github.com/tahqiq/tahqiq/internal/ingest/genericcsv"
	"github.com/tahqiq/tahqiq/internal/ingest/ira538"
	"github.com/tahqiq/tahqiq/internal/ingest/telegram"
	"github.com/tahqiq/tahqiq/internal/ingest/twitterio"
	"github.com/tahqiq/tahqiq/internal/ingest/xv1"
	"github.com/tahqiq/tahqiq/internal/ingest/xv2"
)

// Default returns the registry of every importer tahqiq ships, in detection
// order: the most specific sniffers first. A package that reads several
// related layouts appears once per layout, so each can be named with
// --format.
func Default() *Registry {
	return NewRegistry(
		Format{Name: xv2.FormatPages, Doc: "X API v2 as twarc2 writes it: response pages, flattened tweets, lists, single tweets", Sniff: xv2.Sniff, Parse: xv2.Parse},
		Format{Name: xv1.Format, Doc: "X API v1.1 JSON: a status, an array, a search envelope, or streaming JSON Lines", Sniff: xv1.Sniff, Parse: xv1.Parse},
		split(lean(rereadAny(csvFormat(only(events.FormatEvents, "tahqiq/coordination events CSV (account_id,post_id,timestamp,time_utc,object_type,object_value)", events.Sniff, events.ParseEvents))), events.ParseEventsLean), events.ParseEventsSplit, events.ParseEventsLeanSplit),
		split(rereadAny(csvFormat(only(events.FormatCooRTweet, "CooRTweet table: long (object_id,account_id,content_id,timestamp_share; --option object_type=T) or wide (account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp)", events.Sniff, events.ParseCooRTweet))), events.ParseCooRTweetSplit, nil),
		csvFormat(only(twitterio.FormatTweets, "Twitter information-operations tweets CSV (hashed or unhashed)", twitterio.Sniff, twitterio.Parse)),
		csvFormat(only(twitterio.FormatUsers, "Twitter information-operations users CSV", twitterio.Sniff, twitterio.Parse)),
		csvFormat(only(ira538.Format, "FiveThirtyEight/Clemson IRA tweets CSV (original and by-author layouts, authors.csv)", ira538.Sniff, ira538.Parse)),
		csvFormat(only(crowdtangle.FormatFacebook, "CrowdTangle historical CSV, Facebook pages and groups", crowdtangle.Sniff, crowdtangle.Parse)),
		csvFormat(only(crowdtangle.FormatInstagram, "CrowdTangle historical CSV, Instagram", crowdtangle.Sniff, crowdtangle.Parse)),
		desktopFormat(only(telegram.FormatDesktop, "Telegram Desktop export result.json (one chat or the full export)", telegram.Sniff, telegram.ParseDesktop)),
		only(telegram.FormatTelethon, "Telethon Message.to_dict JSON Lines (--option container=NAME)", telegram.Sniff, telegram.ParseTelethon),
		csvFormat(Format{Name: genericcsv.Format, Doc: "any CSV through --map account=COL[,id=COL,time=COL,text=COL,...] (never detected; --map names it)", Sniff: genericcsv.Sniff, Parse: genericcsv.Parse}),
	)
}

// rereadAny re-reads a stored events or CooRTweet table in whichever
// layout it has: before derivation 2, --format coortweet_csv and
// coord_events_csv both read either table.
func rereadAny(f Format) Format {
	f.Reread = events.Parse
	return f
}

// lean gives f the parser of reads that keep nothing of a record.
func lean(f Format, parse tahqiq.ParseFunc) Format {
	f.Lean = parse
	return f
}

// split gives f its parsers on several cores.
func split(f Format, parse, lean func(workers int) tahqiq.ParseFunc) Format {
	f.Split, f.SplitLean = parse, lean
	return f
}

func csvFormat(f Format) Format {
	f.Layout = LayoutCSV
	return f
}

func desktopFormat(f Format) Format {
	f.Layout = LayoutTelegramDesktop
	return f
}

// only returns a format that a package's sniffer detects under the given
// name (the sniffer tells which of its layouts the input is).
func only(name, doc string, sniff func([]byte) (string, bool), parse tahqiq.ParseFunc) Format {
	return Format{
		Name: name,
		Doc:  doc,
		Sniff: func(head []byte) (string, bool) {
			f, ok := sniff(head)
			return f, ok && f == name
		},
		Parse: parse,
	}
}
