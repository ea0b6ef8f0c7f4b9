package node

import (
	"bytes"
	"errors"

	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/store"
)

// regionToPB encodes a region.
func regionToPB(r store.Region) *coprocpb.Region {
	return &coprocpb.Region{Id: r.ID, StartKey: r.StartKey, EndKey: r.EndKey,
		RegionEpoch: &coprocpb.RegionEpoch{ConfVer: r.Epoch.ConfVer, Version: r.Epoch.Version}}
}

// regionError turns the store's region check failures into the region error the coordinator acts
// on; other errors give nil.
func (n *Node) regionError(err error, regionID uint64, start, end []byte) *coprocpb.RegionError {
	re := &coprocpb.RegionError{Message: err.Error()}
	switch {
	case errors.Is(err, store.ErrEpochNotMatch):
		// The coordinator re-splits the request's ranges by the regions that now cover them.
		var current []*coprocpb.Region
		for _, r := range n.store.Regions() {
			if overlaps(r, start, end) {
				current = append(current, regionToPB(r))
			}
		}
		re.Kind = &coprocpb.RegionError_EpochNotMatch{EpochNotMatch: &coprocpb.EpochNotMatch{CurrentRegions: current}}
	case errors.Is(err, store.ErrRegionNotFound):
		re.Kind = &coprocpb.RegionError_RegionNotFound{RegionNotFound: &coprocpb.RegionNotFound{RegionId: regionID}}
	case errors.Is(err, store.ErrKeyNotInRegion):
		kr := &coprocpb.KeyNotInRegion{Key: start, RegionId: regionID}
		if r, rerr := n.store.Region(regionID); rerr == nil {
			kr.StartKey, kr.EndKey = r.StartKey, r.EndKey
			if r.Contains(start) {
				kr.Key = end
			}
		}
		re.Kind = &coprocpb.RegionError_KeyNotInRegion{KeyNotInRegion: kr}
	default:
		return nil
	}
	return re
}

// regionErrorKind names a region error for metrics.
func regionErrorKind(re *coprocpb.RegionError) string {
	switch re.Kind.(type) {
	case *coprocpb.RegionError_EpochNotMatch:
		return "epoch_not_match"
	case *coprocpb.RegionError_RegionNotFound:
		return "region_not_found"
	case *coprocpb.RegionError_KeyNotInRegion:
		return "key_not_in_region"
	case *coprocpb.RegionError_ServerIsBusy:
		return "server_is_busy"
	}
	return "other"
}

// overlaps reports whether region r meets [start, end) (an empty end is unbounded).
func overlaps(r store.Region, start, end []byte) bool {
	if len(end) > 0 && bytes.Compare(r.StartKey, end) >= 0 {
		return false
	}
	return len(r.EndKey) == 0 || bytes.Compare(start, r.EndKey) < 0
}
