package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/testkit"
)

// A new order dispatched by a rule reaches its team's DingTalk group (the fake service checks
// the documented request and its signature), in the site's language with a link to the order
// on the phone pages, and the delivery's state is journaled on the order.
func TestAWorkOrderReachesItsTeamsGroupAndItsDeliveryIsJournaled(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	env := testkit.New(t, testkit.Options{Clock: clk})
	core := env.Core
	admin := &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	core.Accounts.Cost = bcrypt.MinCost
	for _, op := range []app.Operator{*admin, {Username: "fixer", Name: "吴师傅", Role: app.RoleMaintenance}} {
		_, err := core.Accounts.Create(ctx, nil, op, "sunshine-"+op.Username+"-pw")
		if err != nil && !app.IsCode(err, app.CodeConflict) {
			require.NoError(t, err)
		}
	}
	svc := newDingTalk(t, clk, dingTalkSec)
	r := svc.robot("x")
	setup := app.OrderSetup{Categories: core.Orders.Setup().Categories} // the demo's teams and rules left out
	setup.Teams = []app.Team{{ID: "repair", Names: app.Names{Name: "维修班"}, Members: []string{"fixer"},
		Robot: &app.GroupRobot{Kind: "dingtalk", Webhook: r.Webhook, Secret: r.Secret}}}
	setup.Rules = []app.DispatchRule{{ID: "repairs", Team: "repair"}}
	require.NoError(t, core.Orders.SaveSetup(ctx, admin, setup))

	o := NewOrders(core, OrdersOptions{Lang: "zh-CN", Base: func() string { return "https://192.168.1.10:8443/" }, Client: svc.srv.Client()})
	core.Orders.OnNotice(o.Notice)
	testkit.RunPart(t, o)
	testkit.RunPart(t, o.Poster())
	require.Eventually(t, func() bool { return len(o.poster.channelNames()) == 1 }, 15*time.Second, 10*time.Millisecond, "the team's robot is added")

	b := core.Inventory.Site().Buildings[0]
	ord, err := core.Orders.Report(ctx, admin, app.OrderRequest{Category: app.CatFacility, Text: "单元门禁坏了",
		Place: app.OrderPlace{Building: b.ID, Unit: 1}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(svc.received()) == 1 }, 15*time.Second, 10*time.Millisecond)
	got := svc.received()[0]
	assert.Contains(t, got.Title, "新工单 #"+strings.TrimPrefix(ord.Number(), "#"))
	assert.Contains(t, got.Title, "设施损坏")
	assert.Contains(t, got.Text, b.Name)
	assert.Contains(t, got.Text, "单元门禁坏了")
	assert.Contains(t, got.Text, "https://192.168.1.10:8443/orders/"+strings.TrimPrefix(ord.Number(), "#"))

	require.Eventually(t, func() bool {
		es, _ := env.Store.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindNoticeDelivery}})
		for _, e := range es {
			var d app.NoticeDelivery
			if e.Decode(&d) == nil && d.State == string(StateSent) && d.Order == ord.ID && d.Team == "repair" {
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond, "the delivery is journaled as sent")

	// The robot removed from the set-up is removed from the poster.
	setup.Teams[0].Robot = nil
	require.NoError(t, core.Orders.SaveSetup(ctx, admin, setup))
	require.Eventually(t, func() bool { return len(o.poster.channelNames()) == 0 }, 15*time.Second, 10*time.Millisecond)
}
