package audits

// SetBatches makes the rounds opened until restore is called read their population batch rows
// at a time and store their manifest in parts of part bytes.
func SetBatches(batch, part int) (restore func()) {
	oldBatch, oldPart := streamBatch, manifestPart
	streamBatch, manifestPart = batch, part
	return func() { streamBatch, manifestPart = oldBatch, oldPart }
}
