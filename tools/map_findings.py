#!/usr/bin/env python3
"""Prints the findings tables of docs/BEACONS.md from a beacon map (standard library only).

Usage: python3 tools/map_findings.py beacon-data/fashion-mnist-mlp.json

Tables: the grid's final test errors (D = diverged, C = collapsed), the best configurations, the relations stored by
`merge`/`beacons` in derived.relations, the ordering stability and leave-one-out early prediction, and the ratio of the
final C̄_K to the rank-truncation cap 1/(B·ε32) per batch size (the 'tolerance' rank rule: σ_i counts when σ_i >
σ_max·B·ε32, so c_k = σ_max/σ_min+ can never exceed 1/(B·ε32)).
"""
import json
import sys
from collections import defaultdict
m=json.load(open(sys.argv[1]))
p=m['provenance']; g=m['grid']; d=m['derived']; rel=d['relations']
runs=m['runs']
def r2(x): return 'n/a' if x is None else ('%+.2f'%x).replace('-','−')
print('### grid: final test error (%), mean over seeds; D = diverged (NaN), C = collapsed (chance, no NaN)\n')
cfg=defaultdict(list)
for r in runs: cfg[(r['batchSize'],r['learningRate'])].append(r)
print('| B \\ α | '+' | '.join(str(a) for a in g['learningRates'])+' |')
print('|'+' --- |'*(len(g['learningRates'])+1))
for b in g['batchSizes']:
    cells=[]
    for a in g['learningRates']:
        rs=cfg.get((b,a),[])
        ok=[r for r in rs if not r['diverged'] and not r.get('collapsed')]
        tag=''.join('D' for r in rs if r['diverged'])+''.join('C' for r in rs if r.get('collapsed'))
        if ok:
            s='%.2f'%(100*sum(r['epochs'][-1]['testError'] for r in ok)/len(ok))
            if tag: s+=' ('+tag+')'
        else: s=tag or '–'
        cells.append(s)
    print('| %d | '%b+' | '.join(cells)+' |')
print()
print('### best\n\n| rank | configuration | test error | seeds | C̄_K | L_K | mean run wall s |\n| --- | --- | --- | --- | --- | --- | --- |')
for b in d['bestBeacons']:
    print('| %d | %s | %.2f%% ± %.2f | %d | %.4g | %.4g | %.0f |'%(b['rank'],b['label'],100*b['meanTestError'],100*b['stdTestError'],b['seeds'],b['measures']['condition'],b['measures']['energy'],b['meanWallSeconds']))
print('\nregion: error ≤ %.2f%% (min %.2f%%, max %.2f%%), %d of %d nodes, centroid C̄_K %.4g, L_K %.4g'%(100*d['region']['threshold'],100*d['region']['minimumError'],100*d['region']['maximumError'],d['region']['cells'],d['region']['surface']['size']**2,d['region']['centroid']['condition'],d['region']['centroid']['energy']))
print('\n### relations\n\n| relation | paper | pooled ρ (n) | per group: value → ρ (n) |\n| --- | --- | --- | --- |')
names={'conditionWithBatchSize':('C̄_K vs B','α'),'conditionWithLearningRate':('C̄_K vs α','B'),'energyWithLearningRate':('L_K vs α','B'),'energyWithBatchSize':('L_K vs B','α')}
for k,(n,gname) in names.items():
    x=rel[k]
    groups=', '.join('%s=%g: %s (%d)'%(gname,q['fixedAt'],r2(q['spearman']),q['configurations']) for q in x['perGroup'])
    print('| %s | %s | %s (%d) | %s |'%(n,{1:'+',-1:'−',0:'·'}[x['paperSign']],r2(x['pooled']['spearman']),x['pooled']['configurations'],groups))
t=rel.get('topClustering')
if t:
    print('\ntop %d %s: spread %.3f vs %.3f all (ratio %.2f), tighter fraction %.4f of %d (exact %s), grid components %d'%(t['count'],t['labels'],t['topSpread'],t['allSpread'],t['spreadRatio'],t['tighterSubsetFraction'],t['subsetsCompared'],t['exact'],t['gridComponents']))
print('\n### stability and early prediction\n\n| fraction | epoch | n | ρ predicted vs final | ρ test error then vs final | ρ C̄_K | ρ L_K | LOO MAE (pp) | top-5 hit |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
ep={e['fraction']:e for e in d['earlyPrediction']}
for s in rel['stability']:
    e=ep.get(s['fraction'])
    print('| %d%% | %d | %d | %s | %s | %s | %s | %s | %s |'%(round(100*s['fraction']),s['epoch'],s['configurations'],r2(s['predictedError']),r2(s['currentError']),r2(s['condition']),r2(s['energy']),'%.2f'%(100*e['meanAbsoluteError']) if e else '', '%d/%d'%(round(e['topHitRate']*e['topCount']),e['topCount']) if e else ''))
print('\ncollapsed', d.get('collapsedRuns'), 'threshold', d.get('collapseThreshold'), 'diverged', len(d['divergedRuns']), 'of', len(runs))
print('run seconds %.0f'%sum(r['wallSeconds'] for r in runs), 'prov', {k:p[k] for k in p if k!='command'})
print('\n### C̄_K against the truncation cap 1/(B·ε32) (final epoch, runs neither diverged nor collapsed)\n')
print('| B | cap | final C̄_K / cap | final-epoch mean rank | runs |\n| --- | --- | --- | --- | --- |')
eps32 = 2.0 ** -23
per = defaultdict(list)
for r in runs:
    if r['diverged'] or r.get('collapsed'):
        continue
    e = r['epochs'][-1]
    per[r['batchSize']].append((e['conditionMean'] * r['batchSize'] * eps32, e['meanRank']))
for b in sorted(per):
    v = per[b]
    print('| %d | %.0f | %.2f–%.2f | %.0f–%.0f of %d | %d |' % (b, 1 / (b * eps32), min(x[0] for x in v), max(x[0] for x in v), min(x[1] for x in v), max(x[1] for x in v), b, len(v)))
