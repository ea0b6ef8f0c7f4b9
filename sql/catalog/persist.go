package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/copvec/copvec/chunk"
)

// metaKey is the MetaStore key holding the whole catalog. One key keeps every DDL atomic; the
// catalog is small (it holds no data), so rewriting it per DDL is cheap.
const metaKey = "catalog/v1"

// formatVersion is the version of the persisted encoding; Open rejects a newer one.
const formatVersion = 1

// The persisted forms. They are separate from the API types so the encoding stays stable while
// the API grows, and so values keep their exact bits (JSON has no NaN or infinities).
type pState struct {
	Version   int         `json:"version"`
	NextID    int64       `json:"next_id"`
	Databases []pDatabase `json:"databases"`
	Tables    []pTable    `json:"tables"`
}

type pDatabase struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type pTable struct {
	ID          int64     `json:"id"`
	DB          string    `json:"db"`
	Name        string    `json:"name"`
	Columns     []pColumn `json:"columns,omitempty"`
	Indexes     []Index   `json:"indexes,omitempty"`
	HandleCol   int       `json:"handle_col"`
	View        *View     `json:"view,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	HandleLimit int64     `json:"handle_limit,omitempty"`
	Stats       *pStats   `json:"stats,omitempty"`
}

type pColumn struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Type          string  `json:"type"`
	SQLType       string  `json:"sql_type"`
	NotNull       bool    `json:"not_null,omitempty"`
	Default       *pValue `json:"default,omitempty"`
	AutoIncrement bool    `json:"auto_increment,omitempty"`
	Hidden        bool    `json:"hidden,omitempty"`
}

type pValue struct {
	Type string `json:"type"`
	Null bool   `json:"null,omitempty"`
	I    int64  `json:"i,omitempty"`
	F    uint64 `json:"f,omitempty"` // math.Float64bits
	S    string `json:"s,omitempty"`
}

type pStats struct {
	RowCount int64          `json:"row_count"`
	Analyzed bool           `json:"analyzed,omitempty"`
	Columns  []pColumnStats `json:"columns,omitempty"`
}

type pColumnStats struct {
	NDV       int64  `json:"ndv"`
	NullCount int64  `json:"null_count"`
	Min       pValue `json:"min"`
	Max       pValue `json:"max"`
}

func toPValue(v chunk.Value) pValue {
	return pValue{Type: v.Type.String(), Null: v.Null, I: v.I, F: math.Float64bits(v.F), S: v.S}
}

func fromPValue(p pValue) (chunk.Value, error) {
	if p.Type == "" || p.Type == chunk.KindInvalid.String() {
		return chunk.Value{}, nil // an unset Min/Max
	}
	t, err := chunk.ParseType(p.Type)
	if err != nil {
		return chunk.Value{}, err
	}
	return chunk.Value{Type: t, Null: p.Null, I: p.I, F: math.Float64frombits(p.F), S: p.S}, nil
}

func encodeState(st *state) ([]byte, error) {
	ps := pState{Version: formatVersion, NextID: st.nextID}
	for _, d := range st.dbs {
		ps.Databases = append(ps.Databases, pDatabase{ID: d.ID, Name: d.Name})
	}
	for _, t := range st.byID {
		pt := pTable{ID: t.ID, DB: t.DB, Name: t.Name, Indexes: t.Indexes, HandleCol: t.HandleCol,
			View: t.View, Comment: t.Comment, HandleLimit: st.handleLimit[t.ID]}
		for _, c := range t.Columns {
			pc := pColumn{ID: c.ID, Name: c.Name, Type: c.Type.String(), SQLType: c.SQLType, NotNull: c.NotNull,
				AutoIncrement: c.AutoIncrement, Hidden: c.Hidden}
			if c.Default != nil {
				v := toPValue(*c.Default)
				pc.Default = &v
			}
			pt.Columns = append(pt.Columns, pc)
		}
		if s := t.Stats; s != nil {
			pt.Stats = &pStats{RowCount: s.RowCount, Analyzed: s.Analyzed}
			for _, cs := range s.Columns {
				pt.Stats.Columns = append(pt.Stats.Columns, pColumnStats{NDV: cs.NDV, NullCount: cs.NullCount,
					Min: toPValue(cs.Min), Max: toPValue(cs.Max)})
			}
		}
		ps.Tables = append(ps.Tables, pt)
	}
	// Deterministic output: databases and tables by ID.
	sortBy(ps.Databases, func(d pDatabase) int64 { return d.ID })
	sortBy(ps.Tables, func(t pTable) int64 { return t.ID })
	return json.Marshal(ps)
}

func decodeState(data []byte) (*state, error) {
	var ps pState
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("decode catalog: %w", err)
	}
	if ps.Version != formatVersion {
		return nil, fmt.Errorf("decode catalog: format version %d, this build reads %d", ps.Version, formatVersion)
	}
	st := &state{nextID: ps.NextID, dbs: map[string]*Database{}, tables: map[string]map[string]*Table{},
		byID: map[int64]*Table{}, handleLimit: map[int64]int64{}}
	for _, d := range ps.Databases {
		key := strings.ToLower(d.Name)
		st.dbs[key] = &Database{ID: d.ID, Name: d.Name}
		st.tables[key] = map[string]*Table{}
	}
	for _, pt := range ps.Tables {
		if _, ok := st.tables[strings.ToLower(pt.DB)]; !ok {
			return nil, fmt.Errorf("decode catalog: table %d %q in unknown database %q", pt.ID, pt.Name, pt.DB)
		}
		t := &Table{ID: pt.ID, DB: pt.DB, Name: pt.Name, Indexes: pt.Indexes, HandleCol: pt.HandleCol,
			View: pt.View, Comment: pt.Comment}
		for _, pc := range pt.Columns {
			typ, err := chunk.ParseType(pc.Type)
			if err != nil {
				return nil, fmt.Errorf("decode catalog: table %q column %q: %w", pt.Name, pc.Name, err)
			}
			c := Column{ID: pc.ID, Name: pc.Name, Type: typ, SQLType: pc.SQLType, NotNull: pc.NotNull,
				AutoIncrement: pc.AutoIncrement, Hidden: pc.Hidden}
			if pc.Default != nil {
				v, err := fromPValue(*pc.Default)
				if err != nil {
					return nil, fmt.Errorf("decode catalog: table %q column %q default: %w", pt.Name, pc.Name, err)
				}
				c.Default = &v
			}
			t.Columns = append(t.Columns, c)
		}
		if pt.View == nil && (t.HandleCol < 0 || t.HandleCol >= len(t.Columns)) {
			return nil, fmt.Errorf("decode catalog: table %q handle column %d out of range", pt.Name, t.HandleCol)
		}
		if ps := pt.Stats; ps != nil {
			t.Stats = &TableStats{RowCount: ps.RowCount, Analyzed: ps.Analyzed}
			for _, pcs := range ps.Columns {
				mn, err1 := fromPValue(pcs.Min)
				mx, err2 := fromPValue(pcs.Max)
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("decode catalog: table %q stats: %v %v", pt.Name, err1, err2)
				}
				t.Stats.Columns = append(t.Stats.Columns, ColumnStats{NDV: pcs.NDV, NullCount: pcs.NullCount, Min: mn, Max: mx})
			}
		} else if pt.View == nil {
			t.Stats = &TableStats{}
		}
		if pt.ID >= st.nextID {
			return nil, fmt.Errorf("decode catalog: table ID %d not below next ID %d", pt.ID, st.nextID)
		}
		st.put(t)
		if pt.HandleLimit > 0 {
			st.handleLimit[t.ID] = pt.HandleLimit
		}
	}
	return st, nil
}

func sortBy[T any](s []T, key func(T) int64) {
	sort.Slice(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
}

// MemMetaStore is an in-memory MetaStore for tests. Fail, when set, makes PutMeta fail (to test
// that a failed persist leaves the catalog unchanged).
type MemMetaStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	fail error
}

// NewMemMetaStore returns an empty in-memory MetaStore.
func NewMemMetaStore() *MemMetaStore { return &MemMetaStore{m: map[string][]byte{}} }

// GetMeta implements MetaStore.
func (s *MemMetaStore) GetMeta(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return append([]byte(nil), v...), ok, nil
}

// PutMeta implements MetaStore.
func (s *MemMetaStore) PutMeta(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.m[key] = append([]byte(nil), value...)
	return nil
}

// SetFailure makes every later PutMeta return err (nil restores normal operation).
func (s *MemMetaStore) SetFailure(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}
