// Demo data for the 好人榜 pipeline: a batch in 公示 with candidates, likes and an
// objection, and a few public nominations in the staff queue.
import { eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { honorBatches, honorees, likes, nominations, objections, regions } from './schema/index.ts';
import { keyedHash } from '../src/lib/pii.ts';
import { shanghaiDay, fromShanghai } from '../src/lib/time.ts';

/** Seeds the 公示 batch and nomination queue (skipped when the batch exists). */
export async function seedHonors(db: Db, secretKey: Buffer, now = Date.now()): Promise<void> {
  const [exists] = await db.select({ id: honorBatches.id }).from(honorBatches).where(eq(honorBatches.slug, 'demo-publicity'));
  if (exists) return;
  const towns = (await db.select().from(regions).where(eq(regions.level, 'town'))).slice(0, 4);
  const villageOf = async (townId: number) => (await db.select().from(regions).where(eq(regions.parentId, townId)).limit(1))[0]?.id ?? null;
  const start = shanghaiDay(now - 2 * 86400_000);
  const end = shanghaiDay(now + 8 * 86400_000);
  const [batch] = await db
    .insert(honorBatches)
    .values({
      slug: 'demo-publicity',
      title: '本季度云溪好人榜（候选人公示）',
      period: '本季度',
      status: 'publicity',
      intro: '经群众推荐、乡镇（街道）初审，以下候选人进入公示。公示期间欢迎点赞，如有异议请实事求是地提出。',
      publicityStartsAt: fromShanghai(start),
      publicityEndsAt: fromShanghai(end, '23:59') + 59_999,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: honorBatches.id });
  const consentAt = shanghaiDay(now - 10 * 86400_000);
  const people = [
    { name: '罗春梅', epithet: '背篓医生', identity: '村卫生室乡村医生', category: '敬业奉献', summary: '二十年背着药箱走遍全村山路，为留守老人上门问诊送药。', birthYear: 1972 },
    { name: '唐志勇', epithet: null, identity: '货车司机', category: '见义勇为', summary: '暴雨夜驾车经过塌方路段，冒险拦停后车并救出被困母子。', birthYear: 1985 },
    {
      name: '许家豪',
      epithet: '小小守护员',
      identity: '初中学生',
      category: '孝老爱亲',
      summary: '父母外出务工，五年来独自照顾患病的奶奶，成绩始终名列前茅。',
      birthYear: new Date(now).getUTCFullYear() - 13,
      minor: true,
    },
  ];
  const ids: number[] = [];
  for (const [i, p] of people.entries()) {
    const townId = towns[i % towns.length]?.id ?? null;
    const [row] = await db
      .insert(honorees)
      .values({
        slug: `demo-candidate-${i + 1}`,
        batchId: batch.id,
        name: p.name,
        epithet: p.epithet,
        kind: 'person',
        identity: p.identity,
        birthYear: p.birthYear,
        townId,
        villageId: townId ? await villageOf(townId) : null,
        category: p.category,
        level: '县',
        title: '云溪好人（候选）',
        summary: p.summary,
        story: `${p.summary}\n\n（候选人事迹材料由所在乡镇提供，公示期间接受群众监督。）`,
        status: 'candidate',
        consentBy: p.minor ? '监护人（母亲）' : '本人',
        consentAt,
        consentMethod: '书面同意书',
        guardianConsent: !!p.minor,
        nameConsent: !p.minor,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: honorees.id });
    ids.push(row.id);
  }
  // Likes spread over the last two days (the trigger keeps like_count).
  const rows = [];
  for (let k = 0; k < 30; k++) {
    const at = now - ((k * 97) % 48) * 3600_000;
    rows.push({
      honoreeId: ids[k % ids.length],
      visitorKey: keyedHash(secretKey, `demo-visitor-${k}`, 'like-visitor'),
      ipHash: keyedHash(secretKey, `198.51.100.${k % 7}`, 'like-ip'),
      day: shanghaiDay(at),
      createdAt: at,
    });
  }
  await db.insert(likes).values(rows).onConflictDoNothing();
  await db.insert(objections).values({ honoreeId: ids[1], text: '听说当晚救人的还有另一位司机，建议核实是否为二人共同施救。', contact: null, status: 'open', createdAt: now - 5 * 3600_000 });
  const n = (i: number, over: Partial<typeof nominations.$inferInsert>) => ({
    trackingNo: `TJ-${shanghaiDay(now).slice(0, 4)}-DEMO0${i}`,
    nominatorName: '张女士',
    nominatorPhone: `1350000000${i}`,
    relation: '邻居',
    nomineeName: '陈德明',
    townId: towns[0]?.id ?? null,
    villageId: null,
    category: '助人为乐',
    status: 'new',
    createdAt: now - i * 86400_000,
    deeds: '陈德明师傅在小区门口修了十几年自行车，给老人和学生修车从不收钱，下雨天还把自家的伞借给路人，街坊邻居都说他是个热心肠的好人。',
    ...over,
  });
  await db.insert(nominations).values([
    n(1, {}),
    n(2, { nominatorName: '李先生', relation: '同事', deeds: '陈德明师傅是我们社区的老修车匠，十几年来免费为老人和学生修车，还经常帮独居老人换灯泡、通下水道，从来不要一分钱，大家都很感激他。' }),
    n(3, {
      nomineeName: '周桂兰',
      category: '孝老爱亲',
      relation: '村委会',
      nominatorName: '村委会王主任',
      townId: towns[1]?.id ?? null,
      deeds: '周桂兰的婆婆瘫痪在床十二年，她每天喂饭、擦身、按摩，从无怨言；丈夫去世后她仍然坚持照顾婆婆，还供两个孩子读完大学，是全村公认的好媳妇。',
    }),
  ]);
}
