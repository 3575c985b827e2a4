package app

import (
	"strings"
	"time"
)

// DeviceKind is the kind of an IoT device of the community.
type DeviceKind string

const (
	KindSmoke       DeviceKind = "smoke"       // smoke detector (烟感)
	KindManhole     DeviceKind = "manhole"     // manhole-cover sensor (井盖)
	KindStreetlight DeviceKind = "streetlight" // smart streetlight (智慧路灯)
	KindCallButton  DeviceKind = "callbutton"  // emergency call button (一键报警)
	KindBracelet    DeviceKind = "bracelet"    // bracelet of an elderly resident living alone (独居老人手环)
	KindDoor        DeviceKind = "door"        // face/card/QR access door (门禁)
	KindPlateCamera DeviceKind = "platecam"    // licence-plate camera at a vehicle gate (车牌识别)
	KindCharger     DeviceKind = "charger"     // e-bike charging point (电动车充电桩)
)

// DeviceKinds lists the kinds in the order the UI shows them.
var DeviceKinds = []DeviceKind{KindSmoke, KindManhole, KindStreetlight, KindCallButton, KindBracelet, KindDoor, KindPlateCamera, KindCharger}

// Label is the English name of the kind; it is also the translation key.
func (k DeviceKind) Label() string {
	switch k {
	case KindSmoke:
		return "Smoke detector"
	case KindManhole:
		return "Manhole-cover sensor"
	case KindStreetlight:
		return "Smart streetlight"
	case KindCallButton:
		return "Emergency call button"
	case KindBracelet:
		return "Elderly resident's bracelet"
	case KindDoor:
		return "Access door"
	case KindPlateCamera:
		return "Plate camera"
	case KindCharger:
		return "E-bike charging point"
	}
	return string(k)
}

// Known reports whether k is one of the kinds Watchpost understands.
func (k DeviceKind) Known() bool {
	for _, x := range DeviceKinds {
		if x == k {
			return true
		}
	}
	return false
}

// DefaultSupervision is how long a device of the kind may stay silent (no message, no
// heartbeat) before it is reported offline. Life-safety devices report often.
func (k DeviceKind) DefaultSupervision() time.Duration {
	switch k {
	case KindSmoke, KindManhole:
		return time.Hour
	case KindDoor, KindPlateCamera:
		return 5 * time.Minute
	default:
		return 10 * time.Minute
	}
}

// Person is someone a device belongs to or concerns: the elderly resident wearing a
// bracelet, with the family member to call.
type Person struct {
	ID           string `json:"id,omitempty"` // the person ID access doors report
	Name         string `json:"name"`
	Age          int    `json:"age,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Contact      string `json:"contact,omitempty"`       // family member or carer
	ContactPhone string `json:"contact_phone,omitempty"` // their phone
	Note         string `json:"note,omitempty"`          // medical notes the responders need
	// WelfareHours: raise a welfare check when this person (living alone) has not passed a
	// door for this many hours (0: the rules' default).
	WelfareHours int `json:"welfare_hours,omitempty"`
	// Erased: the person's key was deleted (a resident who moved out); every other field is
	// gone, in the journal too. The console shows "erased".
	Erased bool `json:"erased,omitempty"`
}

// Device is an IoT device installed in the community.
type Device struct {
	ID   string     `json:"id"`
	Kind DeviceKind `json:"kind"`
	Names
	Location    string   `json:"location,omitempty"`    // where to find it, in words: "3号楼2单元 5层"
	LocationEn  string   `json:"location_en,omitempty"` // the same in English
	Position    Point    `json:"position"`
	Floor       int      `json:"floor,omitempty"`
	Unit        int      `json:"unit,omitempty"` // the stairwell (单元) of its building
	GridID      string   `json:"grid,omitempty"`
	BuildingID  string   `json:"building,omitempty"`
	CameraIDs   []string `json:"cameras,omitempty"`     // cameras that see it, opened with its alarms
	Supervision Duration `json:"supervision,omitempty"` // 0: the kind's default
	Person      *Person  `json:"person,omitempty"`
}

// Validate checks a device.
func (d *Device) Validate() error { var p Problems; d.check(&p); return p.Err() }

func (d *Device) check(p *Problems) {
	checkID(p, "id", d.ID)
	checkName(p, "name", d.Name)
	if !d.Kind.Known() {
		p.Add("kind", "Device {{.ID}} has unknown kind {{.Kind}}", "ID", d.ID, "Kind", d.Kind)
	}
	if !finite(d.Position) {
		p.Add("position", "Device {{.ID}} needs a position", "ID", d.ID)
	}
	if d.Supervision < 0 || (d.Supervision > 0 && d.Supervision.D() < 10*time.Second) {
		p.Add("supervision", "Device {{.ID}}: the supervision window must be at least 10 s", "ID", d.ID)
	}
	if d.Kind == KindBracelet && (d.Person == nil || strings.TrimSpace(d.Person.Name) == "" && !d.Person.Erased) {
		p.Add("person", "Bracelet {{.ID}} needs the name of the resident wearing it", "ID", d.ID)
	}
}

// SupervisionWindow returns the device's own window or its kind's default.
func (d *Device) SupervisionWindow() time.Duration {
	if d.Supervision > 0 {
		return d.Supervision.D()
	}
	return d.Kind.DefaultSupervision()
}

// DisplayLocation returns the location in the wanted language.
func (d *Device) DisplayLocation(english bool) string {
	if english && d.LocationEn != "" {
		return d.LocationEn
	}
	return d.Location
}
