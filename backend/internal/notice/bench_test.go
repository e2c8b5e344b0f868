package notice

import "testing"

// BenchmarkRender renders one notice of each kind (docs/notices.md quotes the numbers).
func BenchmarkRender(b *testing.B) {
	if _, err := loadFonts(); err != nil {
		b.Fatal(err)
	}
	for _, k := range Kinds {
		f := sample(k, false)
		b.Run(string(k), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				pdf, err := Render(f)
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}
