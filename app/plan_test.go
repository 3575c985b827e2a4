package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

func smallPlan() app.Plan {
	return app.Plan{ID: "drill", Names: app.Names{Name: "演练预案", NameEn: "Drill plan"}, Roles: []app.TeamRole{"commander", "guard"},
		Steps: []app.Step{
			{ID: "a", Phase: app.PhaseAlert, Title: "接警", Role: "commander", Limit: app.Duration(5 * 60e9)},
			{ID: "b", Phase: app.PhaseRespond, Title: "到场", Role: "guard", DependsOn: []string{"a"}, Limit: app.Duration(10 * 60e9)},
			{ID: "c", Phase: app.PhaseEvacuate, Title: "疏散", Role: "guard", MinLevel: app.LevelII, Limit: app.Duration(3 * 60e9)},
			{ID: "d", Phase: app.PhaseRecover, Title: "记录", Role: "commander"},
		}}
}

func TestPlanValidationRefusesWithReasons(t *testing.T) {
	pl := smallPlan()
	require.NoError(t, pl.Validate())

	missing := smallPlan()
	missing.Steps[1].DependsOn = []string{"zz"}
	assert.EqualError(t, missing.Validate(), "Step b depends on unknown step zz")

	cycle := smallPlan()
	cycle.Steps[0].DependsOn = []string{"b"}
	err := cycle.Validate()
	require.Error(t, err)
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	assert.Contains(t, err.Error(), "depend on each other in a circle")
	assert.Contains(t, err.Error(), "a → b → a", "the reason names the circle")

	role := smallPlan()
	role.Steps[2].Role = "firefighter"
	assert.EqualError(t, role.Validate(), "Step c is for role firefighter, which the plan does not list")
	role.Steps[2].Role = ""
	assert.EqualError(t, role.Validate(), "Step c needs a responsible role")

	bad := smallPlan()
	bad.Steps[0].Phase = "panic"
	bad.Steps[3].ID = "c"
	bad.Steps[1].Supplies = []app.SupplyKind{"unicorn"}
	err = bad.Validate()
	require.Error(t, err)
	for _, want := range []string{"Step a has unknown phase panic", "Step c appears twice", "Step b needs unknown supply kind unicorn"} {
		assert.Contains(t, err.Error(), want, "every reason is listed")
	}
}

func TestDefaultPlansAllValidate(t *testing.T) {
	plans, err := assets.DefaultPlans()
	require.NoError(t, err)
	require.Len(t, plans, 9)
	assert.Equal(t, "fire-residential", plans[0].ID, "the fire plan comes first")
	site := loadDemoSite(t)
	kinds := map[string]bool{}
	for _, p := range plans {
		t.Run(p.ID, func(t *testing.T) {
			require.NoError(t, app.CheckPlan(&p, &site))
			assert.NotEmpty(t, p.NameEn, "bilingual title")
			assert.GreaterOrEqual(t, len(p.Steps), 8)
			assert.LessOrEqual(t, len(p.Steps), 20)
			assert.Len(t, p.Levels, 4, "what each level means")
			assert.Len(t, p.LevelsEn, 4)
			for _, s := range p.Steps {
				assert.NotEmpty(t, s.TitleEn, "step %s has an English title", s.ID)
			}
			for _, ph := range []app.Phase{app.PhaseAlert, app.PhaseRecover} {
				n := 0
				for _, s := range p.Steps {
					if s.Phase == ph {
						n++
					}
				}
				assert.Positive(t, n, "a %s phase", ph)
			}
			// Every level has something to do.
			for _, l := range app.Levels {
				assert.NotEmpty(t, p.StepsAt(l))
			}
		})
		for _, k := range p.AlarmKinds {
			kinds[k] = true
		}
	}
	for _, k := range []string{app.AlarmFire, app.AlarmMedical, app.AlarmFall, app.AlarmManholeWater, app.AlarmDoorForced} {
		assert.True(t, kinds[k], "an alarm of kind %s suggests a plan", k)
	}
}

func TestPlanSuggestion(t *testing.T) {
	c := newCommand(t)
	sug, others := c.plans.Suggest(app.AlarmFire)
	require.Len(t, sug, 1)
	assert.Equal(t, "fire-residential", sug[0].ID)
	assert.Len(t, others, 8)
	sug, _ = c.plans.Suggest(app.AlarmFall)
	require.Len(t, sug, 1)
	assert.Equal(t, "elderly-medical", sug[0].ID)
}

func TestPlansSeededOnceAndJournaled(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	es := c.entriesOf(t, "plan:")
	require.Len(t, es, 9, "one entry per plan, in one transaction")
	assert.Equal(t, app.KindPlansSeeded, es[0].Kind)
	assert.Equal(t, "plan:fire-residential", es[0].Subject)
	assert.Equal(t, app.SystemActor, es[0].Operator)
	defaults, _ := assets.DefaultPlans()
	n, err := c.plans.Seed(ctx, defaults)
	require.NoError(t, err)
	assert.Zero(t, n, "seeded only when there are none")
}

func TestPlanEditingIsCheckedAndJournaled(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	pl := smallPlan()
	_, err := c.plans.Create(ctx, duty, pl)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a duty operator does not edit plans: %v", err)
	// (commanders edit plans too: operators_roles_test.go)

	got, err := c.plans.Create(ctx, trainer, pl)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Version)
	_, err = c.plans.Create(ctx, trainer, pl)
	assert.True(t, app.IsCode(err, app.CodeConflict), "IDs are unique")

	pl.Steps[0].Title = "接警并核实"
	pl.Steps = append(pl.Steps, app.Step{ID: "e", Phase: app.PhaseRecover, Title: "复盘", Role: "nobody"})
	_, err = c.plans.Update(ctx, admin, pl)
	assert.EqualError(t, err, "Step e is for role nobody, which the plan does not list")
	pl.Steps[4].Role = "commander"
	pl.Steps[4].Contacts = []string{"fire", "grid_worker", "property-repair", "ghostbusters"}
	_, err = c.plans.Update(ctx, admin, pl)
	assert.EqualError(t, err, "Step e calls ghostbusters, which is not a contact ID or role", "contacts are checked against the site")
	pl.Steps[4].Contacts = pl.Steps[4].Contacts[:3]
	got, err = c.plans.Update(ctx, admin, pl)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, "admin", got.UpdatedBy)

	require.NoError(t, c.plans.Delete(ctx, trainer, "drill"))
	_, ok := c.plans.Get("drill")
	assert.False(t, ok)

	var kinds []app.EntryKind
	var who []string
	for _, e := range c.entriesOf(t, app.SubjectPlan("drill")) {
		kinds = append(kinds, e.Kind)
		who = append(who, e.Operator)
	}
	assert.Equal(t, []app.EntryKind{app.KindPlanCreated, app.KindPlanUpdated, app.KindPlanDeleted}, kinds)
	assert.Equal(t, []string{"trainer", "admin", "trainer"}, who)
}

func TestImportRefusesABadPlanWithReasons(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	_, err := c.plans.Import(ctx, trainer, []byte(`{"id": "x", "name": "x", "stepz": []}`), "x.json", app.ImportedInConsole)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "The file is not a plan")
	assert.Contains(t, err.Error(), "stepz", "the unknown field is named")

	bad := smallPlan()
	bad.ID = "imported"
	bad.Steps[0].DependsOn = []string{"d"}
	bad.Steps[3].DependsOn = []string{"a"}
	bad.Steps[2].Role = "firefighter"
	b, err := app.MarshalPlan(bad)
	require.NoError(t, err)
	_, err = c.plans.Import(ctx, trainer, b, "bad.json", app.ImportedInConsole)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Step c is for role firefighter, which the plan does not list")
	_, ok := c.plans.Get("imported")
	assert.False(t, ok, "nothing was added")

	good := smallPlan()
	good.ID = "imported"
	b, err = app.MarshalPlan(good)
	require.NoError(t, err)
	_, err = c.plans.Import(ctx, duty, b, "good.json", app.ImportedInConsole)
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	got, err := c.plans.Import(ctx, trainer, b, "good.json", app.ImportedInConsole)
	require.NoError(t, err)
	assert.Len(t, got.Steps, 4)
	_, err = c.plans.Import(ctx, trainer, b, "good.json", app.ImportedInConsole)
	assert.ErrorContains(t, err, "A plan with the ID imported exists already")

	es := c.entriesOf(t, app.SubjectPlan("imported"))
	require.Len(t, es, 1)
	assert.Equal(t, app.KindPlanImported, es[0].Kind)
	assert.Equal(t, "trainer", es[0].Operator)
	assert.Contains(t, string(es[0].Data), `"file":"good.json"`)
	assert.Contains(t, string(es[0].Data), `"via":"console"`)

	// Export and import round-trip.
	out, err := c.plans.Export("fire-residential")
	require.NoError(t, err)
	p, err := app.ParsePlan(out)
	require.NoError(t, err)
	fire, _ := c.plans.Get("fire-residential")
	assert.Equal(t, fire.Steps, p.Steps)
	assert.False(t, strings.Contains(string(out), "updated_by"), "the export carries no edit history")
}
