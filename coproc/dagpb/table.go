package dagpb

import (
	"fmt"

	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// TableToPB encodes a table schema.
func TableToPB(t *tablecodec.TableInfo) *coprocpb.TableInfo {
	out := &coprocpb.TableInfo{TableId: t.ID, Name: t.Name, HandleColumnId: t.HandleColumnID}
	for _, c := range t.Columns {
		out.Columns = append(out.Columns, &coprocpb.ColumnInfo{ColumnId: c.ID, Name: c.Name, Tp: TypeToPB(c.Type)})
	}
	for _, ix := range t.Indexes {
		out.Indexes = append(out.Indexes, &coprocpb.IndexInfo{IndexId: ix.ID, Name: ix.Name,
			ColumnIds: append([]int64(nil), ix.ColumnIDs...), Unique: ix.Unique})
	}
	return out
}

// TableFromPB decodes a table schema and validates it (tablecodec.TableInfo.Validate). Columns
// without names are named after their IDs, since the schema's validation wants unique names.
func TableFromPB(pb *coprocpb.TableInfo) (*tablecodec.TableInfo, error) {
	if pb == nil {
		return nil, invalid("missing table")
	}
	t := &tablecodec.TableInfo{ID: pb.TableId, Name: pb.Name, HandleColumnID: pb.HandleColumnId}
	if t.Name == "" {
		t.Name = fmt.Sprintf("t%d", pb.TableId)
	}
	for i, c := range pb.Columns {
		if c == nil {
			return nil, invalid("table %d: column %d is missing", pb.TableId, i)
		}
		typ, err := TypeFromPB(c.Tp)
		if err != nil {
			return nil, fmt.Errorf("table %d column %d: %w", pb.TableId, c.ColumnId, err)
		}
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("c%d", c.ColumnId)
		}
		t.Columns = append(t.Columns, tablecodec.ColumnInfo{ID: c.ColumnId, Name: name, Type: typ})
	}
	for i, ix := range pb.Indexes {
		if ix == nil {
			return nil, invalid("table %d: index %d is missing", pb.TableId, i)
		}
		name := ix.Name
		if name == "" {
			name = fmt.Sprintf("i%d", ix.IndexId)
		}
		t.Indexes = append(t.Indexes, tablecodec.IndexInfo{ID: ix.IndexId, Name: name,
			ColumnIDs: append([]int64(nil), ix.ColumnIds...), Unique: ix.Unique})
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	return t, nil
}
