package parsetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Pictures made for tests (CC0: drawn by this code, no one's photograph).

// Ballot draws a ballot paper of one template: a header, eight rows of
// party symbols with name strips and vote boxes, a serial number; marked
// are the rows (0 to 7) with a stamp in their vote box. Two ballots of
// the template with other marks are distinct forms that look alike.
func Ballot(marked ...int) *image.RGBA {
	const w, h = 600, 840
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), 246)
	fill(img, image.Rect(20, 20, w-20, 110), 40) // header band
	for i := range 14 {                          // its lettering: white strokes
		fill(img, image.Rect(60+i*34, 50, 60+i*34+18, 80), 230)
	}
	for r := range 8 {
		y := 140 + r*85
		box := image.Rect(20, y, w-20, y+75)
		frame(img, box, 3, 30)
		symbol(img, r, 70, y+37)
		for i := range 5 + r%3 { // the party's name
			fill(img, image.Rect(140+i*38, y+28, 140+i*38+26, y+48), 60)
		}
		vote := image.Rect(w-130, y+10, w-35, y+65)
		frame(img, vote, 3, 30)
		for _, m := range marked {
			if m == r {
				disc(img, vote.Min.X+47, y+37, 24, 20)
				disc(img, vote.Min.X+47, y+37, 15, 246)
				disc(img, vote.Min.X+47, y+37, 9, 20)
			}
		}
	}
	for i := range 10 { // serial number
		fill(img, image.Rect(40+i*22, h-45, 40+i*22+12, h-25), 50)
	}
	return img
}

func fill(img *image.RGBA, r image.Rectangle, grey uint8) {
	draw.Draw(img, r, image.NewUniform(color.Gray{grey}), image.Point{}, draw.Src)
}

func frame(img *image.RGBA, r image.Rectangle, t int, grey uint8) {
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+t), grey)
	fill(img, image.Rect(r.Min.X, r.Max.Y-t, r.Max.X, r.Max.Y), grey)
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+t, r.Max.Y), grey)
	fill(img, image.Rect(r.Max.X-t, r.Min.Y, r.Max.X, r.Max.Y), grey)
}

func disc(img *image.RGBA, cx, cy, rad int, grey uint8) {
	for y := cy - rad; y <= cy+rad; y++ {
		for x := cx - rad; x <= cx+rad; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad {
				img.SetRGBA(x, y, color.RGBA{grey, grey, grey, 255})
			}
		}
	}
}

// symbol draws party symbol k (a different shape per row) centred at
// (cx, cy).
func symbol(img *image.RGBA, k, cx, cy int) {
	g := uint8(30 + 20*k)
	for y := cy - 28; y <= cy+28; y++ {
		for x := cx - 28; x <= cx+28; x++ {
			dx, dy := float64(x-cx), float64(y-cy)
			var in bool
			switch k {
			case 0:
				in = dx*dx+dy*dy <= 26*26
			case 1:
				in = math.Abs(dx) <= 22 && math.Abs(dy) <= 22
			case 2:
				in = dy >= -24 && dy <= 24 && math.Abs(dx) <= (dy+24)/2
			case 3:
				in = math.Abs(dx) <= 7 || math.Abs(dy) <= 7
			case 4:
				in = math.Abs(dx)+math.Abs(dy) <= 26
			case 5:
				d := dx*dx + dy*dy
				in = d <= 26*26 && d >= 14*14
			case 6:
				in = int(dy+28)%14 < 7
			case 7:
				in = math.Abs(dx-dy) <= 8 || math.Abs(dx+dy) <= 8
			}
			if in {
				img.SetRGBA(x, y, color.RGBA{g, g, g, 255})
			}
		}
	}
}

// Landscape draws a photograph-like scene of its seed, 800×533: a sky,
// layered hills and grain.
func Landscape(seed uint64) *image.RGBA { return LandscapeSized(seed, 800, 533) }

// LandscapeSized draws Landscape at another size.
func LandscapeSized(seed uint64, w, h int) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 17))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	phase := [3]float64{r.Float64() * 6, r.Float64() * 6, r.Float64() * 6}
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			c := color.RGBA{uint8(120 + 100*fy), uint8(160 + 60*fy), 235, 255}
			for l := range 3 {
				ridge := 0.45 + 0.12*float64(l) + 0.08*math.Sin(fx*float64(5+3*l)+phase[l]) + 0.03*math.Sin(fx*31+phase[l]*2)
				if fy > ridge {
					v := uint8(40 + 50*l + int(30*math.Sin(fx*90+fy*40)))
					c = color.RGBA{v / 2, v, v / 3, 255}
				}
			}
			n := uint8(r.IntN(12))
			c.R, c.G, c.B = c.R-min(c.R, n), c.G-min(c.G, n), c.B-min(c.B, n)
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// Photographed makes a drawing look like a phone photograph of it: the
// lens softens it (two passes of a 5-pixel box blur), the light falls off
// from one corner, and the sensor adds grain of its seed.
func Photographed(src *image.RGBA, seed uint64) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	r := rand.New(rand.NewPCG(seed, 29))
	lum := make([]float64, w*h)
	for y := range h {
		for x := range w {
			lum[y*w+x] = float64(src.RGBAAt(b.Min.X+x, b.Min.Y+y).G)
		}
	}
	tmp := make([]float64, w*h)
	for range 2 {
		for y := range h {
			for x := range w {
				var s float64
				n := 0
				for d := -2; d <= 2; d++ {
					if xx := x + d; xx >= 0 && xx < w {
						s += lum[y*w+xx]
						n++
					}
				}
				tmp[y*w+x] = s / float64(n)
			}
		}
		for y := range h {
			for x := range w {
				var s float64
				n := 0
				for d := -2; d <= 2; d++ {
					if yy := y + d; yy >= 0 && yy < h {
						s += tmp[yy*w+x]
						n++
					}
				}
				lum[y*w+x] = s / float64(n)
			}
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			light := 1 - 0.18*(float64(x)/float64(w)+float64(y)/float64(h))/2
			v := lum[y*w+x]*light + r.NormFloat64()*4
			v = math.Max(0, math.Min(255, v))
			out.SetRGBA(x, y, color.RGBA{uint8(v), uint8(v * 0.98), uint8(v * 0.9), 255})
		}
	}
	return out
}

// Shrink scales a picture down by averaging boxes of pixels.
func Shrink(src *image.RGBA, w, h int) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for Y := range h {
		y0, y1 := b.Min.Y+Y*b.Dy()/h, b.Min.Y+(Y+1)*b.Dy()/h
		for X := range w {
			x0, x1 := b.Min.X+X*b.Dx()/w, b.Min.X+(X+1)*b.Dx()/w
			var sr, sg, sb, n int
			for y := y0; y < max(y1, y0+1); y++ {
				for x := x0; x < max(x1, x0+1); x++ {
					c := src.RGBAAt(x, y)
					sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
				}
			}
			out.SetRGBA(X, Y, color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255})
		}
	}
	return out
}

// Mirror swaps left and right.
func Mirror(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			out.SetRGBA(x, y, src.RGBAAt(b.Max.X-1-x, b.Min.Y+y))
		}
	}
	return out
}

// Framed lays a picture on a white margin.
func Framed(src *image.RGBA, margin int) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*margin, b.Dy()+2*margin))
	fill(out, out.Bounds(), 255)
	draw.Draw(out, image.Rect(margin, margin, margin+b.Dx(), margin+b.Dy()), src, b.Min, draw.Src)
	return out
}

// JPEG encodes a picture.
func JPEG(tb testing.TB, img image.Image, quality int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// MediaExport is a Telegram Desktop export of a group chat whose members
// post pictures, written by WriteMediaExport.
type MediaExport struct {
	Dir    string // the export's folder
	Result string // its result.json
	Chat   string // the chat's container id, e.g. "channel1500000001"
	// BallotPosts are the posts of the fake ballot paper and its copies
	// (smaller and recompressed, mirrored, framed, the same file again),
	// in order; BallotAccounts the four accounts that post them, within
	// a minute of each other.
	BallotPosts    []string
	BallotAccounts []string
	OtherBallot    string // a post of another ballot of the same template, other marks
	Landscape      string // a post of an unrelated photograph
	Blank          string // a post of a flat grey picture (PDQ quality 0)
	// Counts of MediaSummary the import must report.
	Pictures, NoFile, Files, Hashed, Missing, Unreadable, NotImage, LowQuality int64
}

// ExportMessage is one message of a made export.
type ExportMessage struct {
	From  int // user number
	At    int // seconds after the start
	Text  string
	Photo string            // photos/… name, or a placeholder
	File  string            // files/… name
	Mime  string            // of File
	Kind  string            // media_type of File (sticker)
	Data  []byte            // written at Photo or File when not nil
	Extra map[string]string // further fields
}

// WriteMediaExport writes a Telegram Desktop export of chat id into dir:
// result.json and its photos/ and files/ folders.
func WriteMediaExport(tb testing.TB, dir string, id int64, start time.Time, msgs []ExportMessage) string {
	tb.Helper()
	for _, sub := range []string{"photos", "files", "stickers"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	var list []map[string]any
	for i, m := range msgs {
		at := start.Add(time.Duration(m.At) * time.Second)
		msg := map[string]any{
			"id": 100 + i, "type": "message", "date": at.Format("2006-01-02T15:04:05"), "date_unixtime": strconv.FormatInt(at.Unix(), 10),
			"from": fmt.Sprintf("member %d", m.From), "from_id": fmt.Sprintf("user%d", 7000+m.From),
			"text": m.Text, "text_entities": []map[string]string{{"type": "plain", "text": m.Text}},
		}
		name := m.Photo
		if m.Photo != "" {
			msg["photo"] = m.Photo
			msg["width"], msg["height"] = 600, 840
		}
		if m.File != "" {
			name = m.File
			msg["file"], msg["mime_type"] = m.File, m.Mime
			if m.Kind != "" {
				msg["media_type"] = m.Kind
			}
		}
		for k, v := range m.Extra {
			msg[k] = v
		}
		if m.Data != nil {
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), m.Data, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
		list = append(list, msg)
	}
	// the chat's fields come before its messages, as Telegram Desktop
	// writes them (a map would sort them after)
	msgsJSON, err := json.MarshalIndent(list, " ", " ")
	if err != nil {
		tb.Fatal(err)
	}
	b := fmt.Appendf(nil, "{\n \"name\": \"Election watch\",\n \"type\": \"private_supergroup\",\n \"id\": %d,\n \"messages\": %s\n}\n", id, msgsJSON)
	result := filepath.Join(dir, "result.json")
	if err := os.WriteFile(result, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return result
}

// Start is when the made exports begin.
var Start = time.Date(2024, 2, 8, 10, 0, 0, 0, time.UTC)

// NotIncluded is Telegram Desktop's placeholder for a file left out of an
// export.
const NotIncluded = "(File not included. Change data exporting settings to download.)"

// TelegramMediaExport writes the standard media export into dir: four
// members post a photograph of a fake ballot paper and copies of it
// (smaller and recompressed, mirrored, framed) within a minute;
// others post another ballot of the same template, a landscape, a flat
// grey picture, a sticker, a photo the export left out, a photo whose
// file is missing, a "picture" that is a PDF and a truncated JPEG.
func TelegramMediaExport(tb testing.TB, dir string) MediaExport {
	tb.Helper()
	ballot := Photographed(Ballot(2), 1)
	grey := image.NewRGBA(image.Rect(0, 0, 300, 300))
	fill(grey, grey.Bounds(), 128)
	truncated := JPEG(tb, Shrink(Landscape(2), 200, 133), 80)
	truncated = truncated[:len(truncated)/2]
	msgs := []ExportMessage{
		{From: 1, At: 0, Text: "Form rigged! پولنگ اسٹیشن 45", Photo: "photos/photo_1@08-02-2024_10-00-00.jpg", Data: JPEG(tb, ballot, 90)},
		{From: 2, At: 20, Text: "see this", Photo: "photos/photo_2@08-02-2024_10-00-20.jpg", Data: JPEG(tb, Shrink(ballot, 400, 560), 70)},
		{From: 3, At: 35, Text: "dhandli", Photo: "photos/photo_3@08-02-2024_10-00-35.jpg", Data: JPEG(tb, Mirror(ballot), 85)},
		{From: 4, At: 50, Text: "", Photo: "photos/photo_4@08-02-2024_10-00-50.jpg", Data: JPEG(tb, Framed(ballot, 40), 85)},
		{From: 1, At: 300, Text: "again", Photo: "photos/photo_1@08-02-2024_10-00-00.jpg"},
		{From: 5, At: 400, Text: "results day", Photo: "photos/photo_5@08-02-2024_10-06-40.jpg", Data: JPEG(tb, Photographed(Ballot(5), 2), 90)},
		{From: 5, At: 500, Text: "nice view", Photo: "photos/photo_6@08-02-2024_10-08-20.jpg", Data: JPEG(tb, Landscape(1), 88)},
		{From: 6, At: 600, Text: "grey", Photo: "photos/photo_7@08-02-2024_10-10-00.jpg", Data: JPEG(tb, grey, 90)},
		{From: 6, At: 700, Text: "", File: "stickers/sticker.webp", Mime: "image/webp", Kind: "sticker", Data: []byte("RIFF")},
		{From: 2, At: 800, Text: "left out", Photo: NotIncluded},
		{From: 3, At: 900, Text: "gone", Photo: "photos/photo_9@08-02-2024_10-15-00.jpg"},
		{From: 4, At: 1000, Text: "scan", File: "files/scan.jpg", Mime: "image/jpeg", Data: []byte("%PDF-1.4\n% not a picture\n")},
		{From: 5, At: 1100, Text: "broken", File: "files/broken.jpg", Mime: "image/jpeg", Data: truncated},
	}
	const id = 1500000001
	result := WriteMediaExport(tb, dir, id, Start, msgs)
	chat := "channel" + strconv.Itoa(id)
	uid := func(i int) string { return "telegram:" + chat + "/" + strconv.Itoa(100+i) }
	return MediaExport{Dir: dir, Result: result, Chat: chat,
		BallotPosts:    []string{uid(0), uid(1), uid(2), uid(3), uid(4)},
		BallotAccounts: []string{"telegram:user7001", "telegram:user7002", "telegram:user7003", "telegram:user7004"},
		OtherBallot:    uid(5), Landscape: uid(6), Blank: uid(7),
		// pictures: 12 (not the sticker); no file: the one left out; files:
		// 10 names (photo_1 twice); hashed 7, missing 1, a PDF, a broken JPEG
		Pictures: 12, NoFile: 1, Files: 10, Hashed: 7, Missing: 1, Unreadable: 1, NotImage: 1, LowQuality: 1,
	}
}
