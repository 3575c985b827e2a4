#!/bin/sh
# Draws the demo's proof photos (what a worker photographs when an order is done): plain
# illustrations, marked as demo photos, one for each category that asks for a photo.
# Needs ImageMagick and fonts-noto-cjk. Run it in this folder; the JPEGs are embedded as they are.
set -e
F=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
caption() { # file, caption
	convert "$1" -fill '#00000099' -draw "rectangle 0,410 640,480" \
		-font $F -pointsize 26 -fill white -annotate +20+442 "$2" \
		-pointsize 16 -fill '#dddddd' -annotate +20+468 "演示照片 · Demo photo" -quality 78 "$1"
}
corridor() { # file, extra drawing
	convert -size 640x480 xc:'#d9d4c7' \
		-fill '#bfb8a8' -draw "polygon 0,0 220,150 220,330 0,480" \
		-fill '#c9c2b2' -draw "polygon 640,0 420,150 420,330 640,480" \
		-fill '#9e9686' -draw "polygon 0,480 220,330 420,330 640,480" \
		-fill '#e8e3d6' -draw "polygon 0,0 640,0 420,150 220,150" \
		-fill '#f2efe6' -draw "rectangle 220,150 420,330" \
		-fill '#7d8b96' -draw "rectangle 285,200 355,330" \
		"$@"
}
corridor clutter.jpg
caption clutter.jpg "楼道杂物已清理，通道畅通"

corridor -fill '#1f9d55' -draw "rectangle 280,160 360,190" fire_hazard.jpg
convert fire_hazard.jpg -font $F -pointsize 15 -fill white -annotate +290+181 "安全出口" fire_hazard.jpg
caption fire_hazard.jpg "消防通道已畅通，安全出口无遮挡"

# The community's charging shed: a roof on posts, charging sockets, two e-bikes parked.
convert -size 640x480 xc:'#cfd8dc' \
	-fill '#8d9aa0' -draw "rectangle 0,330 640,480" \
	-fill '#455a64' -draw "polygon 40,110 600,110 640,150 0,150" \
	-fill '#607d8b' -draw "rectangle 60,150 72,330" -draw "rectangle 568,150 580,330" \
	-fill '#eceff1' -draw "rectangle 120,200 520,240" \
	-fill '#2e7d32' -draw "rectangle 140,210 160,230" -draw "rectangle 240,210 260,230" -draw "rectangle 340,210 360,230" -draw "rectangle 440,210 460,230" \
	-fill none -stroke '#263238' -strokewidth 8 \
	-draw "circle 180,320 180,292" -draw "circle 290,320 290,292" -draw "circle 370,320 370,292" -draw "circle 480,320 480,292" \
	-draw "line 180,320 235,270" -draw "line 235,270 290,320" -draw "line 370,320 425,270" -draw "line 425,270 480,320" \
	ebike.jpg
convert ebike.jpg -font $F -pointsize 18 -fill white -annotate +250+138 "集中充电棚" ebike.jpg
caption ebike.jpg "电动车已移至集中充电棚充电"

# A manhole cover set back flush in the road, with its new rubber seat.
convert -size 640x480 xc:'#6d6d6d' \
	-fill '#5e5e5e' -draw "rectangle 0,0 640,90" \
	-fill '#f5f5f5' -draw "rectangle 0,60 640,70" \
	-fill '#3a3a3a' -draw "ellipse 320,260 170,110 0,360" \
	-fill '#505050' -draw "ellipse 320,260 150,96 0,360" \
	-fill none -stroke '#404040' -strokewidth 6 \
	-draw "line 190,260 450,260" -draw "line 320,170 320,350" -draw "ellipse 320,260 90,58 0,360" \
	manhole.jpg
caption manhole.jpg "井盖已复位固定，路面恢复正常"

# A unit's entrance door with its access reader working again.
convert -size 640x480 xc:'#d7ccc8' \
	-fill '#a1887f' -draw "rectangle 0,360 640,480" \
	-fill '#8d6e63' -draw "rectangle 170,70 470,360" \
	-fill '#546e7a' -draw "rectangle 190,90 316,360" -draw "rectangle 324,90 450,360" \
	-fill '#90a4ae' -draw "rectangle 205,110 300,250" -draw "rectangle 339,110 435,250" \
	-fill '#263238' -draw "rectangle 500,170 560,260" \
	-fill '#4caf50' -draw "circle 530,240 530,234" \
	-fill '#b0bec5' -draw "rectangle 510,180 550,220" \
	door.jpg
caption door.jpg "单元门及门禁已修复，刷卡开门正常"

# A streetlight lit again at dusk.
convert -size 640x480 gradient:'#1a237e-#5c6bc0' \
	-fill '#37474f' -draw "rectangle 0,380 640,480" \
	-fill '#455a64' -draw "rectangle 300,120 314,380" -draw "rectangle 300,120 400,132" \
	-fill '#fff59d' -draw "polygon 360,132 420,132 430,146 350,146" \
	-fill '#fff59d55' -draw "polygon 350,146 430,146 520,380 260,380" \
	streetlight.jpg
caption streetlight.jpg "路灯已修复，照明恢复正常"

# The repair crew's toolbox at a finished job.
convert -size 640x480 xc:'#cfd8dc' \
	-fill '#90a4ae' -draw "rectangle 0,330 640,480" \
	-fill '#c62828' -draw "rectangle 180,200 460,340" \
	-fill '#b71c1c' -draw "rectangle 180,200 460,225" \
	-fill none -stroke '#424242' -strokewidth 12 -draw "line 270,200 270,160" -draw "line 370,200 370,160" -draw "line 270,160 370,160" \
	-stroke '#616161' -strokewidth 14 -draw "line 480,330 600,250" \
	-fill '#616161' -stroke none -draw "circle 600,250 600,232" \
	repair.jpg
caption repair.jpg "维修完成，现场已恢复正常"
