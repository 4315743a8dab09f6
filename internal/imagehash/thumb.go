package imagehash

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"

	xdraw "golang.org/x/image/draw"
)

// Thumbnail returns a JPEG of the picture (JPEG, PNG, GIF's first frame
// or WebP) fitted within size×size pixels, upright by its EXIF
// orientation, transparency laid over white, as the picture is hashed: a
// small stand-in to show, never to hash. A picture already within size
// is re-encoded at its size. The errors are Sum's.
func Thumbnail(data []byte, size int) ([]byte, error) {
	if size < 1 {
		return nil, fmt.Errorf("imagehash: thumbnail size %d", size)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if name := otherImageFormat(data); name != "" {
			return nil, &Error{Reason: name + " pictures are not decoded (JPEG, PNG, GIF and WebP are)"}
		}
		return nil, &Error{NotImage: true, Reason: "not a picture (JPEG, PNG, GIF and WebP are read)"}
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, &Error{Reason: fmt.Sprintf("%s picture of %d×%d pixels: not shown", format, cfg.Width, cfg.Height)}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Reason: "damaged " + format + " picture: " + err.Error()}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if w > size || h > size {
		if w >= h {
			tw, th = size, max(1, (h*size+w/2)/w)
		} else {
			tw, th = max(1, (w*size+h/2)/h), size
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	if tw == w && th == h {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	} else {
		xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Over, nil)
	}
	out := orientRGBA(dst, Orientation(data))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 82}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// orientRGBA turns a picture upright by its EXIF orientation (1 to 8;
// anything else is taken as 1), as Orient does a luminance plane.
func orientRGBA(m *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	ow, oh := w, h
	if orientation >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for Y := range oh {
		for X := range ow {
			var x, y int
			switch orientation {
			case 2:
				x, y = w-1-X, Y
			case 3:
				x, y = w-1-X, h-1-Y
			case 4:
				x, y = X, h-1-Y
			case 5:
				x, y = Y, X
			case 6:
				x, y = Y, h-1-X
			case 7:
				x, y = w-1-Y, h-1-X
			case 8:
				x, y = w-1-Y, X
			}
			copy(out.Pix[Y*out.Stride+4*X:Y*out.Stride+4*X+4], m.Pix[y*m.Stride+4*x:y*m.Stride+4*x+4])
		}
	}
	return out
}
